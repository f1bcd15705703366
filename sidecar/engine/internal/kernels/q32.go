package kernels

import (
	"encoding/binary"
	"math"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// Q8_0 and Q4_0 weights (the 32-element block formats).
//
// Activations. Each row of K values (K a multiple of 32) is quantized in
// blocks of 32, each stored in q32ActBytes (40) bytes: 32 int8 quants, the
// float32 scale d and an int32 correction. For a block x[0..31]:
//
//	amax = max |x[i]|
//	d    = amax / 127            (float32 division)
//	id   = 127 / amax            (0 when amax == 0)
//	q[i] = round-half-to-even(float32(x[i]*id)) clamped to [-127, 127]
//
// (the rounding VCVTPS2DQ does; a NaN x gives q = 0, and d is then NaN).
// Activations are quantized by the same Go code on every path. The correction is -128*sum(q) for Q8_0
// and -8*sum(q) for Q4_0: the VNNI kernels multiply unsigned weights
// (w+128, or Q4_0's raw nibble) by the signed quants and start each block's
// integer sum from it.
//
// Output j of activation row i (the accumulation order, the same in every
// path, every thread split and every batch size):
//
//	acc = bias[j]                          (0 when bias is nil)
//	for b = 0, 1, ..., K/32-1:             (blocks in ascending order)
//	    isum = sum over the 32 elements of qw*qa   (exact integer; Q4_0: qw = nibble-8)
//	    s    = float32(dw_b * da_b)        (dw_b the block's f16 scale as float32)
//	    acc  = fma(float32(isum), s, acc)  (one rounding, as VFMADD231PS)
//	c[i][j] = acc
//
// |isum| <= 32*128*127 < 2^24, so float32(isum) is exact. SIMD lanes hold
// different output rows (j), never parts of one sum.
//
// Layout. NewQMatrix repacks each whole group of q32Group (16) consecutive
// rows in place (Layout = 1); rows past the last whole group keep GGUF's
// layout and are computed by the portable code on every path (same
// operations, same bits). A group's bytes are its 16 rows' blocks
// interleaved block by block; block b of the group is 16 blocks' worth of
// bytes at offset b*16*BlockBytes:
//
//	[0, 32)                  the 16 rows' f16 scales, row r at 2r
//	[32 + 64c + 4r, +4)      row r's quant bytes qs[4c .. 4c+3]
//	                         (c < 8 for Q8_0, c < 4 for Q4_0, whose byte
//	                         qs[i] holds element i in its low nibble and
//	                         element i+16 in its high nibble)
//
// so one 64-byte load holds the same four quant bytes of 16 rows: the
// 16 lanes of a VPDPBUSD, each lane an output row, against four
// activation quants broadcast to every lane. AVX2 does the same on the
// two 8-row halves (both in one pass over the weights for one or two
// activation rows, one half after the other for more). An AVX-512 CPU
// without VNNI runs the AVX2 kernels. Threads split output rows in whole
// groups (rowGroup), so no sum is ever split.
const (
	q32Group    = 16
	q32ActBytes = 40 // 32 x int8, float32 d, int32 correction
	q32Blk      = 32
)

// q32Kernels is one path's kernel for one format: it computes the whole
// interleaved groups g0 <= g < g1 (rows 16*g0 .. 16*g1) of w for m
// activation rows.
type q32Kernels struct {
	q8, q4 func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int)
}

// q32Impls holds each path's kernels (the portable Go ones always);
// kernels.Use switches them with the rest.
var q32Impls = map[Path]q32Kernels{Portable: {q8: q8GroupsGo, q4: q4GroupsGo}}

func q32Cur() q32Kernels {
	if k, ok := q32Impls[Current()]; ok {
		return k
	}
	return q32Impls[Portable]
}

func init() {
	qFormats[quant.Q8_0] = &qFormat{
		actBytes:    q32ActRowBytes,
		quantizeAct: func(dst []byte, x []float32) { quantizeAct32(dst, x, 128) },
		matmul: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
			q32MatMul(q32Cur().q8, q8RowsGo, c, ldc, qa, m, w, bias, j0, j1)
		},
		row:      q8Row,
		prepare:  q32Prepare,
		rowGroup: q32Group,
		actKind:  1,
	}
	qFormats[quant.Q4_0] = &qFormat{
		actBytes:    q32ActRowBytes,
		quantizeAct: func(dst []byte, x []float32) { quantizeAct32(dst, x, 8) },
		matmul: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
			q32MatMul(q32Cur().q4, q4RowsGo, c, ldc, qa, m, w, bias, j0, j1)
		},
		row:      q4Row,
		prepare:  q32Prepare,
		rowGroup: q32Group,
		actKind:  3, // the correction term differs from Q8_0's
	}
}

func q32ActRowBytes(k int) int { return k / q32Blk * q32ActBytes }

// quantizeAct32 quantizes x (len a multiple of 32) into blocks of
// q32ActBytes; off is the weight offset folded into the correction (128
// for Q8_0's w+128, 8 for Q4_0's nibbles).
func quantizeAct32(dst []byte, x []float32, off int32) {
	nb := len(x) / q32Blk
	dst = dst[:nb*q32ActBytes]
	for b := 0; b < nb; b++ {
		xb := x[b*q32Blk : (b+1)*q32Blk]
		o := dst[b*q32ActBytes : (b+1)*q32ActBytes]
		// max |x| on the bit patterns: for non-NaN values the order of
		// |x|'s bits is the order of |x|.
		var amaxBits uint32
		for _, v := range xb {
			amaxBits = max(amaxBits, math.Float32bits(v)&^(1<<31))
		}
		amax := math.Float32frombits(amaxBits)
		d := amax / 127
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		var sum int32
		for i, v := range xb {
			f := min(max(float32(v*id), -127), 127)
			if f != f { // NaN input
				f = 0
			}
			// Adding and subtracting 1.5*2^23 rounds a float32 of
			// magnitude below 2^22 to an integer, ties to even.
			q := int32(float32(f+0x1.8p23) - 0x1.8p23)
			o[i] = byte(int8(q))
			sum += q
		}
		binary.LittleEndian.PutUint32(o[32:], math.Float32bits(d))
		binary.LittleEndian.PutUint32(o[36:], uint32(-off*sum))
	}
}

// actScale reads an activation block's scale.
func actScale(a []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(a[32:36])) }

// q32Prepare interleaves every whole group of 16 rows in place.
func q32Prepare(w *QMatrix) error {
	// NewQMatrix has checked that K is whole blocks and Data holds N rows.
	bb := w.Type.BlockBytes()
	nb := w.K / q32Blk
	gb := q32Group * w.RowBytes
	tmp := make([]byte, gb)
	for g := 0; g < w.N/q32Group; g++ {
		src := w.Data[g*gb : (g+1)*gb]
		for b := 0; b < nb; b++ {
			o := tmp[b*q32Group*bb:]
			for r := 0; r < q32Group; r++ {
				blk := src[r*w.RowBytes+b*bb:]
				o[2*r], o[2*r+1] = blk[0], blk[1]
				for c := 0; c < (bb-2)/4; c++ {
					copy(o[32+64*c+4*r:32+64*c+4*r+4], blk[2+4*c:])
				}
			}
		}
		copy(src, tmp)
	}
	w.Layout = 1
	return nil
}

// q32Loc returns where row j's block b keeps its f16 scale and its quant
// bytes qs[4c..4c+3], in either layout.
func q32Loc(w *QMatrix, j, b int) (scale int, qs func(c int) int) {
	bb := w.Type.BlockBytes()
	if w.Layout == 1 && j < w.N/q32Group*q32Group {
		g, r := j/q32Group, j%q32Group
		base := g*q32Group*w.RowBytes + b*q32Group*bb
		return base + 2*r, func(c int) int { return base + 32 + 64*c + 4*r }
	}
	base := j*w.RowBytes + b*bb
	return base, func(c int) int { return base + 2 + 4*c }
}

// q8Row dequantizes row j as ggml does: value = float32(q)*d.
func q8Row(w *QMatrix, j int, dst []float32) {
	for b := 0; b < w.K/q32Blk; b++ {
		s, qs := q32Loc(w, j, b)
		d := HalfToF32(binary.LittleEndian.Uint16(w.Data[s:]))
		for c := 0; c < 8; c++ {
			p := qs(c)
			for e := 0; e < 4; e++ {
				dst[b*q32Blk+4*c+e] = float32(int8(w.Data[p+e])) * d
			}
		}
	}
}

// q4Row dequantizes row j as ggml does: value = float32(q-8)*d.
func q4Row(w *QMatrix, j int, dst []float32) {
	for b := 0; b < w.K/q32Blk; b++ {
		s, qs := q32Loc(w, j, b)
		d := HalfToF32(binary.LittleEndian.Uint16(w.Data[s:]))
		for c := 0; c < 4; c++ {
			p := qs(c)
			for e := 0; e < 4; e++ {
				v := w.Data[p+e]
				dst[b*q32Blk+4*c+e] = float32(int(v&15)-8) * d
				dst[b*q32Blk+16+4*c+e] = float32(int(v>>4)-8) * d
			}
		}
	}
}

// q32MatMul splits [j0, j1) into whole interleaved groups (the path's
// kernel) and the rows past them (portable).
func q32MatMul(groups func([]float32, int, []byte, int, *QMatrix, []float32, int, int),
	rows func([]float32, int, []byte, int, *QMatrix, []float32, int, int),
	c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
	full := w.N / q32Group * q32Group
	if w.Layout != 1 {
		full = 0
	}
	if g0, g1 := j0/q32Group, min(j1, full)/q32Group; g1 > g0 && j0 < full {
		groups(c, ldc, qa, m, w, bias, g0, g1)
	}
	if r0 := max(j0, full); j1 > r0 {
		rows(c, ldc, qa, m, w, bias, r0, j1)
	}
}

func biasAt(bias []float32, j int) float32 {
	if bias == nil {
		return 0
	}
	return bias[j]
}

// q8RowsGo computes rows j0..j1 one at a time (any layout).
func q8RowsGo(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
	nb := w.K / q32Blk
	ab := nb * q32ActBytes
	for j := j0; j < j1; j++ {
		for i := 0; i < m; i++ {
			a := qa[i*ab : (i+1)*ab]
			acc := biasAt(bias, j)
			for b := 0; b < nb; b++ {
				ablk := a[b*q32ActBytes : (b+1)*q32ActBytes]
				s, qs := q32Loc(w, j, b)
				var isum int32
				for cc := 0; cc < 8; cc++ {
					p := qs(cc)
					wq := w.Data[p : p+4]
					aq := ablk[4*cc : 4*cc+4]
					isum += int32(int8(wq[0]))*int32(int8(aq[0])) + int32(int8(wq[1]))*int32(int8(aq[1])) +
						int32(int8(wq[2]))*int32(int8(aq[2])) + int32(int8(wq[3]))*int32(int8(aq[3]))
				}
				sc := float32(HalfToF32(binary.LittleEndian.Uint16(w.Data[s:])) * actScale(ablk))
				acc = FMA32(float32(isum), sc, acc)
			}
			c[i*ldc+j] = acc
		}
	}
}

// q4RowsGo computes rows j0..j1 one at a time (any layout).
func q4RowsGo(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
	nb := w.K / q32Blk
	ab := nb * q32ActBytes
	for j := j0; j < j1; j++ {
		for i := 0; i < m; i++ {
			a := qa[i*ab : (i+1)*ab]
			acc := biasAt(bias, j)
			for b := 0; b < nb; b++ {
				ablk := a[b*q32ActBytes : (b+1)*q32ActBytes]
				s, qs := q32Loc(w, j, b)
				var isum int32
				for cc := 0; cc < 4; cc++ {
					p := qs(cc)
					for e := 0; e < 4; e++ {
						v := w.Data[p+e]
						isum += (int32(v&15)-8)*int32(int8(ablk[4*cc+e])) + (int32(v>>4)-8)*int32(int8(ablk[16+4*cc+e]))
					}
				}
				sc := float32(HalfToF32(binary.LittleEndian.Uint16(w.Data[s:])) * actScale(ablk))
				acc = FMA32(float32(isum), sc, acc)
			}
			c[i*ldc+j] = acc
		}
	}
}

// q8GroupsGo is the portable kernel for whole interleaved groups: the
// order above, 16 rows at a time.
func q8GroupsGo(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
	nb := w.K / q32Blk
	ab := nb * q32ActBytes
	gb := q32Group * w.RowBytes
	const bb = 34 * q32Group
	for g := g0; g < g1; g++ {
		wg := w.Data[g*gb : (g+1)*gb]
		for i := 0; i < m; i++ {
			a := qa[i*ab : (i+1)*ab]
			var acc [q32Group]float32
			for r := range acc {
				acc[r] = biasAt(bias, g*q32Group+r)
			}
			for b := 0; b < nb; b++ {
				ablk := a[b*q32ActBytes : (b+1)*q32ActBytes]
				wb := wg[b*bb : (b+1)*bb]
				da := actScale(ablk)
				var isum [q32Group]int32
				for cc := 0; cc < 8; cc++ {
					a0, a1, a2, a3 := int32(int8(ablk[4*cc])), int32(int8(ablk[4*cc+1])), int32(int8(ablk[4*cc+2])), int32(int8(ablk[4*cc+3]))
					col := wb[32+64*cc : 32+64*cc+64]
					for r := 0; r < q32Group; r++ {
						q := col[4*r : 4*r+4]
						isum[r] += int32(int8(q[0]))*a0 + int32(int8(q[1]))*a1 + int32(int8(q[2]))*a2 + int32(int8(q[3]))*a3
					}
				}
				for r := 0; r < q32Group; r++ {
					sc := float32(HalfToF32(binary.LittleEndian.Uint16(wb[2*r:])) * da)
					acc[r] = FMA32(float32(isum[r]), sc, acc[r])
				}
			}
			copy(c[i*ldc+g*q32Group:i*ldc+g*q32Group+q32Group], acc[:])
		}
	}
}

// q4GroupsGo is q8GroupsGo for Q4_0.
func q4GroupsGo(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
	nb := w.K / q32Blk
	ab := nb * q32ActBytes
	gb := q32Group * w.RowBytes
	const bb = 18 * q32Group
	for g := g0; g < g1; g++ {
		wg := w.Data[g*gb : (g+1)*gb]
		for i := 0; i < m; i++ {
			a := qa[i*ab : (i+1)*ab]
			var acc [q32Group]float32
			for r := range acc {
				acc[r] = biasAt(bias, g*q32Group+r)
			}
			for b := 0; b < nb; b++ {
				ablk := a[b*q32ActBytes : (b+1)*q32ActBytes]
				wb := wg[b*bb : (b+1)*bb]
				da := actScale(ablk)
				var isum [q32Group]int32
				for cc := 0; cc < 4; cc++ {
					lo, hi := ablk[4*cc:4*cc+4], ablk[16+4*cc:16+4*cc+4]
					col := wb[32+64*cc : 32+64*cc+64]
					for r := 0; r < q32Group; r++ {
						q := col[4*r : 4*r+4]
						for e := 0; e < 4; e++ {
							isum[r] += (int32(q[e]&15)-8)*int32(int8(lo[e])) + (int32(q[e]>>4)-8)*int32(int8(hi[e]))
						}
					}
				}
				for r := 0; r < q32Group; r++ {
					sc := float32(HalfToF32(binary.LittleEndian.Uint16(wb[2*r:])) * da)
					acc[r] = FMA32(float32(isum[r]), sc, acc[r])
				}
			}
			copy(c[i*ldc+g*q32Group:i*ldc+g*q32Group+q32Group], acc[:])
		}
	}
}
