package kernels

import (
	"encoding/binary"
	"math"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// Q4_K and Q6_K weights (the k-quants of a Q4_K_M file).
//
// Weights stay in GGUF's layout (no repack, Layout 0, row group 1): a row
// of K weights is K/256 super-blocks,
//
//	Q4_K (144 B): f16 d, f16 dmin, scales[12] (8 six-bit scales sc_s and
//	              8 six-bit mins m_s, packed as ggml's get_scale_min_k4),
//	              qs[128]: for chunk c < 4, byte qs[32c+l] holds element
//	              64c+l in its low nibble (sub-block 2c) and element
//	              64c+32+l in its high nibble (sub-block 2c+1);
//	              weight = d*sc_s*q - dmin*m_s, s = element/32.
//	Q6_K (210 B): ql[128], qh[64], int8 scales[16], f16 d; for half h < 2
//	              and l < 32, with L = ql[64h:], H = qh[32h:], element
//	              128h+l      = L[l]&15    | (H[l]>>0&3)<<4,
//	              128h+32+l   = L[32+l]&15 | (H[l]>>2&3)<<4,
//	              128h+64+l   = L[l]>>4    | (H[l]>>4&3)<<4,
//	              128h+96+l   = L[32+l]>>4 | (H[l]>>6&3)<<4;
//	              weight = d*scales[s]*(q-32), s = element/16.
//
// Activations. Each row of K values is quantized per super-block of 256
// (like ggml's Q8_K) into qkActBytes (292) bytes: int8 q[256] at 0, the
// int16 sums of each 16 consecutive quants bsum[16] at 256 (little
// endian), the float32 scale d at 288. For a super-block x[0..255]:
//
//	amax = max |x[i]|
//	d    = amax / 127                       (float32 division)
//	id   = 127 / amax                       (0 when amax == 0)
//	q[i] = round-half-to-even(float32(x[i]*id)) clamped to [-127, 127]
//	bsum[t] = q[16t] + ... + q[16t+15]
//
// Output j of activation row i (the accumulation order, the same in every
// path, thread split and batch size; super-block b of weight row j meets
// super-block b of activation row i, dw/dmw are the weight's f16 d/dmin
// as float32, da the activation's d):
//
//	acc = bias[j]                           (0 when bias is nil)
//	for b = 0, 1, ..., K/256-1:             (ascending, one after another)
//	  Q4_K: sumi = sum_s sc_s * sum_{e in s} q_e*a_e           (exact int32)
//	        summ = sum_s m_s * (bsum[2s] + bsum[2s+1])        (exact int32)
//	        x    = float32(dw * da)
//	        y    = float32(dmw * da)
//	        t    = float32(x * float32(sumi)) - float32(y * float32(summ))
//	  Q6_K: sumi = sum_s scales[s] * sum_{e in s} (q_e-32)*a_e (exact int32)
//	        t    = float32(float32(dw * da) * float32(sumi))
//	  acc = acc + t                         (float32 addition)
//	c[i][j] = acc
//
// No fused multiply-add anywhere: every product and sum rounds to float32
// on its own (VMULPS, VSUBPS, VADDPS lane by lane). The integer sums are
// exact (|sumi| < 2^31: Q4_K at most 256*15*127*63, Q6_K 256*32*127*128),
// so the SIMD paths may add their integer partial products in any order.
// The SIMD kernels keep one output row j and up to 4 activation rows at a
// time; their lanes hold different activation rows, never parts of one
// float sum, so a batch computes each row exactly as it would alone.
const (
	qkBlk      = quant.QKK // 256
	qkActBytes = 256 + 32 + 4
	qk4Bytes   = 144
	qk6Bytes   = 210
	qkMaxRows  = 4 // activation rows per kernel call
)

// qkKernel computes, for the nrows weight rows starting at w (rows of
// nb super-blocks, contiguous) and r (1..qkMaxRows) activation rows at a
// (stride ab bytes), c[i*ldc+j] = bias[j] (0 when bias is nil) + the dot
// product in the order above, for j < nrows and i < r.
type qkKernel func(c []float32, ldc int, w []byte, nrows int, a []byte, ab, nb int, bias []float32, r int)

type qkKernels struct{ q4, q6 qkKernel }

// qkImpls holds each path's kernels; kernels.Use switches them with the
// rest (a path without its own falls back to the next slower one).
var qkImpls = map[Path]qkKernels{Portable: {q4: qk4Go, q6: qk6Go}}

func qkCur() qkKernels {
	for p := Current(); p > Portable; p-- {
		if k, ok := qkImpls[p]; ok {
			return k
		}
	}
	return qkImpls[Portable]
}

func init() {
	qFormats[quant.Q4_K] = &qFormat{
		actBytes:    qkActRowBytes,
		quantizeAct: qkQuantizeAct,
		matmul: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
			qkMatMul(qkCur().q4, c, ldc, qa, m, w, bias, j0, j1)
		},
		row:      qk4Row,
		rowGroup: 1,
		actKind:  2,
	}
	qFormats[quant.Q6_K] = &qFormat{
		actBytes:    qkActRowBytes,
		quantizeAct: qkQuantizeAct,
		matmul: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
			qkMatMul(qkCur().q6, c, ldc, qa, m, w, bias, j0, j1)
		},
		row:      qk6Row,
		rowGroup: 1,
		actKind:  2,
	}
}

func qkActRowBytes(k int) int { return k / qkBlk * qkActBytes }

// qkQuantizeAct quantizes x (len a multiple of 256) as the package comment
// above says.
func qkQuantizeAct(dst []byte, x []float32) {
	nb := len(x) / qkBlk
	_ = dst[nb*qkActBytes-1]
	for b := 0; b < nb; b++ {
		xs := x[b*qkBlk : (b+1)*qkBlk]
		o := dst[b*qkActBytes : (b+1)*qkActBytes]
		var amax float32
		for _, v := range xs {
			if v < 0 {
				v = -v
			}
			if v > amax {
				amax = v
			}
		}
		var d, id float32
		if amax > 0 {
			d = amax / 127
			id = 127 / amax
		}
		for t := 0; t < 16; t++ {
			var s int16
			for e := 0; e < 16; e++ {
				q := qkRound(xs[16*t+e] * id)
				o[16*t+e] = byte(q)
				s += int16(q)
			}
			binary.LittleEndian.PutUint16(o[256+2*t:], uint16(s))
		}
		binary.LittleEndian.PutUint32(o[288:], math.Float32bits(d))
	}
}

// qkRound rounds v half to even and clamps it to [-127, 127] (NaN -> 0).
func qkRound(v float32) int8 {
	switch {
	case v >= 127:
		return 127
	case v <= -127:
		return -127
	case !(v == v):
		return 0
	}
	// |v| < 2^22: adding and removing 1.5*2^23 rounds to an integer, half
	// to even, in float32 arithmetic.
	const magic = 12582912
	return int8(int32(float32(float32(v+magic) - magic)))
}

// qkMatMul runs kern over output rows [j0, j1): activation rows in
// blocks of about 256 KB (they stay in L2), weight rows in blocks of about
// 48 KB (they stay in L1/L2 while each group of up to 4 activation rows of
// the block passes). The blocking changes no bits: every output is one
// kernel call's sequential accumulation.
func qkMatMul(kern qkKernel, c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int) {
	nb := w.K / qkBlk
	ab := qkActRowBytes(w.K)
	step, ablk := j1-j0, m
	if m > qkMaxRows {
		step = max(1, (48<<10)/w.RowBytes)
		ablk = max(qkMaxRows, (256<<10)/ab/qkMaxRows*qkMaxRows)
	}
	for ib := 0; ib < m; ib += ablk {
		ie := min(ib+ablk, m)
		for jb := j0; jb < j1; jb += step {
			je := min(jb+step, j1)
			var bs []float32
			if bias != nil {
				bs = bias[jb:je]
			}
			wd := w.Data[jb*w.RowBytes : je*w.RowBytes]
			for i := ib; i < ie; i += qkMaxRows {
				r := min(qkMaxRows, ie-i)
				kern(c[i*ldc+jb:], ldc, wd, je-jb, qa[i*ab:], ab, nb, bs, r)
			}
		}
	}
}

// qk4Scales unpacks Q4_K's 12 scale bytes into 8 scales and 8 mins
// (ggml's get_scale_min_k4).
func qk4Scales(s []byte) (sc, mn [8]uint8) {
	for j := 0; j < 8; j++ {
		if j < 4 {
			sc[j] = s[j] & 63
			mn[j] = s[j+4] & 63
		} else {
			sc[j] = s[j+4]&0xF | (s[j-4]>>6)<<4
			mn[j] = s[j+4]>>4 | (s[j]>>6)<<4
		}
	}
	return
}

func qkBiasAt(bias []float32, j int) float32 {
	if bias == nil {
		return 0
	}
	return bias[j]
}

func qkActD(a []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(a[288:])) }

func qkBsum(a []byte, t int) int32 { return int32(int16(binary.LittleEndian.Uint16(a[256+2*t:]))) }

// qk4Go is the portable Q4_K kernel.
func qk4Go(c []float32, ldc int, w []byte, nrows int, a []byte, ab, nb int, bias []float32, r int) {
	rb := nb * qk4Bytes
	var acc [qkMaxRows]float32
	for j := 0; j < nrows; j++ {
		for i := 0; i < r; i++ {
			acc[i] = qkBiasAt(bias, j)
		}
		for b := 0; b < nb; b++ {
			blk := w[j*rb+b*qk4Bytes : j*rb+(b+1)*qk4Bytes]
			dw := HalfToF32(binary.LittleEndian.Uint16(blk[0:]))
			dmw := HalfToF32(binary.LittleEndian.Uint16(blk[2:]))
			sc, mn := qk4Scales(blk[4:16])
			qs := blk[16:144]
			for i := 0; i < r; i++ {
				ar := a[i*ab+b*qkActBytes : i*ab+(b+1)*qkActBytes]
				var sumi, summ int32
				for ch := 0; ch < 4; ch++ {
					var lo, hi int32
					for l := 0; l < 32; l++ {
						q := qs[32*ch+l]
						lo += int32(q&15) * int32(int8(ar[64*ch+l]))
						hi += int32(q>>4) * int32(int8(ar[64*ch+32+l]))
					}
					sumi += int32(sc[2*ch])*lo + int32(sc[2*ch+1])*hi
				}
				for s := 0; s < 8; s++ {
					summ += int32(mn[s]) * (qkBsum(ar, 2*s) + qkBsum(ar, 2*s+1))
				}
				da := qkActD(ar)
				x := float32(dw * da)
				y := float32(dmw * da)
				t := float32(x*float32(sumi)) - float32(y*float32(summ))
				acc[i] = acc[i] + t
			}
		}
		for i := 0; i < r; i++ {
			c[i*ldc+j] = acc[i]
		}
	}
}

// qk6Go is the portable Q6_K kernel.
func qk6Go(c []float32, ldc int, w []byte, nrows int, a []byte, ab, nb int, bias []float32, r int) {
	rb := nb * qk6Bytes
	var acc [qkMaxRows]float32
	var q [qkBlk]int32
	for j := 0; j < nrows; j++ {
		for i := 0; i < r; i++ {
			acc[i] = qkBiasAt(bias, j)
		}
		for b := 0; b < nb; b++ {
			blk := w[j*rb+b*qk6Bytes : j*rb+(b+1)*qk6Bytes]
			qk6Quants(blk, &q)
			dw := HalfToF32(binary.LittleEndian.Uint16(blk[208:]))
			for i := 0; i < r; i++ {
				ar := a[i*ab+b*qkActBytes : i*ab+(b+1)*qkActBytes]
				var sumi int32
				for s := 0; s < 16; s++ {
					var p int32
					for e := 16 * s; e < 16*s+16; e++ {
						p += q[e] * int32(int8(ar[e]))
					}
					sumi += int32(int8(blk[192+s])) * p
				}
				da := qkActD(ar)
				t := float32(float32(dw*da) * float32(sumi))
				acc[i] = acc[i] + t
			}
		}
		for i := 0; i < r; i++ {
			c[i*ldc+j] = acc[i]
		}
	}
}

// qk6Quants unpacks one Q6_K super-block's 256 quants minus 32.
func qk6Quants(blk []byte, q *[qkBlk]int32) {
	for h := 0; h < 2; h++ {
		ql := blk[64*h : 64*h+64]
		qh := blk[128+32*h : 128+32*h+32]
		y := q[128*h : 128*h+128]
		for l := 0; l < 32; l++ {
			y[l] = int32(ql[l]&15|(qh[l]&3)<<4) - 32
			y[l+32] = int32(ql[l+32]&15|(qh[l]>>2&3)<<4) - 32
			y[l+64] = int32(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
			y[l+96] = int32(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
		}
	}
}

// qk4Row dequantizes like ggml's dequantize_row_q4_K: per sub-block
// d1 = d*sc, m1 = dmin*m, y = d1*q - m1 (each operation rounded).
func qk4Row(w *QMatrix, j int, dst []float32) {
	row := w.Data[j*w.RowBytes : (j+1)*w.RowBytes]
	for b := 0; b < w.K/qkBlk; b++ {
		blk := row[b*qk4Bytes : (b+1)*qk4Bytes]
		d := HalfToF32(binary.LittleEndian.Uint16(blk[0:]))
		dmin := HalfToF32(binary.LittleEndian.Uint16(blk[2:]))
		sc, mn := qk4Scales(blk[4:16])
		y := dst[b*qkBlk : (b+1)*qkBlk]
		for ch := 0; ch < 4; ch++ {
			d1, m1 := float32(d*float32(sc[2*ch])), float32(dmin*float32(mn[2*ch]))
			d2, m2 := float32(d*float32(sc[2*ch+1])), float32(dmin*float32(mn[2*ch+1]))
			for l := 0; l < 32; l++ {
				q := blk[16+32*ch+l]
				y[64*ch+l] = float32(d1*float32(q&15)) - m1
				y[64*ch+32+l] = float32(d2*float32(q>>4)) - m2
			}
		}
	}
}

// qk6Row dequantizes like ggml's dequantize_row_q6_K: y = (d*sc)*q.
func qk6Row(w *QMatrix, j int, dst []float32) {
	row := w.Data[j*w.RowBytes : (j+1)*w.RowBytes]
	var q [qkBlk]int32
	for b := 0; b < w.K/qkBlk; b++ {
		blk := row[b*qk6Bytes : (b+1)*qk6Bytes]
		d := HalfToF32(binary.LittleEndian.Uint16(blk[208:]))
		qk6Quants(blk, &q)
		y := dst[b*qkBlk : (b+1)*qkBlk]
		for e := range y {
			y[e] = float32(float32(d*float32(int8(blk[192+e/16]))) * float32(q[e]))
		}
	}
}
