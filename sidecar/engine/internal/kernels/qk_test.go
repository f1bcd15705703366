package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// qkRandHalf is a random normal f16 of magnitude 2^-9 .. 2^-2 (never NaN,
// Inf or zero), built from its bits.
func qkRandHalf(r *rand.Rand) uint16 {
	return uint16(r.IntN(2))<<15 | uint16(6+r.IntN(8))<<10 | uint16(r.IntN(1024))
}

// qkRandWeights fills n rows of k weights of type t with random blocks in
// the published layout (random quants and packed scales, sane f16 scales).
func qkRandWeights(r *rand.Rand, t quant.Type, k, n int) []byte {
	rb, _ := t.RowBytes(k)
	data := make([]byte, rb*n)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	bs := t.BlockBytes()
	for b := 0; b < len(data)/bs; b++ {
		blk := data[b*bs : (b+1)*bs]
		if t == quant.Q4_K {
			binary.LittleEndian.PutUint16(blk[0:], qkRandHalf(r))
			binary.LittleEndian.PutUint16(blk[2:], qkRandHalf(r))
		} else {
			binary.LittleEndian.PutUint16(blk[208:], qkRandHalf(r))
		}
	}
	return data
}

// --- the reference, written from ggml's published block formulas ---

// refScaleMinK4 is ggml's get_scale_min_k4, transcribed.
func refScaleMinK4(j int, q []byte) (d, m uint8) {
	if j < 4 {
		d = q[j] & 63
		m = q[j+4] & 63
	} else {
		d = (q[j+4] & 0xF) | ((q[j-4] >> 6) << 4)
		m = (q[j+4] >> 4) | ((q[j-0] >> 6) << 4)
	}
	return
}

// refQ4K returns, for one 144-byte block, d, dmin and each element's
// integer scale, min and quant (value = d*sc*q - dmin*mn).
func refQ4K(blk []byte) (d, dmin float32, sc, mn, q [256]int32) {
	d = HalfToF32(uint16(blk[0]) | uint16(blk[1])<<8)
	dmin = HalfToF32(uint16(blk[2]) | uint16(blk[3])<<8)
	scales, qs := blk[4:16], blk[16:]
	is, y := 0, 0
	for j := 0; j < 256; j += 64 {
		s1, m1 := refScaleMinK4(is, scales)
		s2, m2 := refScaleMinK4(is+1, scales)
		for l := 0; l < 32; l++ {
			sc[y], mn[y], q[y] = int32(s1), int32(m1), int32(qs[l]&0xF)
			y++
		}
		for l := 0; l < 32; l++ {
			sc[y], mn[y], q[y] = int32(s2), int32(m2), int32(qs[l]>>4)
			y++
		}
		qs = qs[32:]
		is += 2
	}
	return
}

// refQ6K is ggml's dequantize_row_q6_K loop for one 210-byte block,
// returning d and each element's int8 scale and quant-32.
func refQ6K(blk []byte) (d float32, sc, q [256]int32) {
	ql, qh, scs := blk[0:128], blk[128:192], blk[192:208]
	d = HalfToF32(uint16(blk[208]) | uint16(blk[209])<<8)
	y := 0
	for n := 0; n < 256; n += 128 {
		for l := 0; l < 32; l++ {
			is := l / 16
			q[y+l+0] = int32(int8((ql[l+0]&0xF)|((qh[l]>>0)&3)<<4)) - 32
			q[y+l+32] = int32(int8((ql[l+32]&0xF)|((qh[l]>>2)&3)<<4)) - 32
			q[y+l+64] = int32(int8((ql[l+0]>>4)|((qh[l]>>4)&3)<<4)) - 32
			q[y+l+96] = int32(int8((ql[l+32]>>4)|((qh[l]>>6)&3)<<4)) - 32
			sc[y+l+0] = int32(int8(scs[is+0]))
			sc[y+l+32] = int32(int8(scs[is+2]))
			sc[y+l+64] = int32(int8(scs[is+4]))
			sc[y+l+96] = int32(int8(scs[is+6]))
		}
		y += 128
		ql, qh, scs = ql[64:], qh[32:], scs[8:]
	}
	return
}

// refQuantize is the activation quantization's definition (with
// math.RoundToEven), returning each super-block's quants and d.
func refQuantize(x []float32) (q []int32, d []float32) {
	for b := 0; b < len(x)/256; b++ {
		var amax float32
		for _, v := range x[b*256 : (b+1)*256] {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		d = append(d, amax/127)
		for _, v := range x[b*256 : (b+1)*256] {
			f := math.RoundToEven(float64(float32(v * id)))
			q = append(q, int32(max(-127, min(127, f))))
		}
	}
	return
}

// refQMatMul is the documented accumulation order with integer sums taken
// element by element from the reference unpacking.
func refQMatMul(t quant.Type, a []float32, m, k int, w []byte, n int, bias []float32) []float32 {
	rb, _ := t.RowBytes(k)
	c := make([]float32, m*n)
	for i := 0; i < m; i++ {
		qa, da := refQuantize(a[i*k : (i+1)*k])
		for j := 0; j < n; j++ {
			var acc float32
			if bias != nil {
				acc = bias[j]
			}
			for b := 0; b < k/256; b++ {
				aq := qa[b*256 : (b+1)*256]
				var term float32
				if t == quant.Q4_K {
					dw, dmw, sc, mn, q := refQ4K(w[j*rb+b*144:])
					var sumi, summ int64
					for e := 0; e < 256; e++ {
						sumi += int64(sc[e]) * int64(q[e]) * int64(aq[e])
						summ += int64(mn[e]) * int64(aq[e])
					}
					x, y := float32(dw*da[b]), float32(dmw*da[b])
					term = float32(x*float32(sumi)) - float32(y*float32(summ))
				} else {
					dw, sc, q := refQ6K(w[j*rb+b*210:])
					var sumi int64
					for e := 0; e < 256; e++ {
						sumi += int64(sc[e]) * int64(q[e]) * int64(aq[e])
					}
					term = float32(float32(dw*da[b]) * float32(sumi))
				}
				acc = acc + term
			}
			c[i*n+j] = acc
		}
	}
	return c
}

// refDequant is the dequantization of ggml's dequantize_row_q4_K/q6_K:
// (d*sc)*q - dmin*m and (d*sc)*q, each operation rounded to float32.
func refDequant(t quant.Type, row []byte, k int) []float32 {
	out := make([]float32, k)
	for b := 0; b < k/256; b++ {
		if t == quant.Q4_K {
			d, dmin, sc, mn, q := refQ4K(row[b*144:])
			for e := 0; e < 256; e++ {
				out[b*256+e] = float32(float32(d*float32(sc[e]))*float32(q[e])) - float32(dmin*float32(mn[e]))
			}
		} else {
			d, sc, q := refQ6K(row[b*210:])
			for e := 0; e < 256; e++ {
				out[b*256+e] = float32(float32(d*float32(sc[e])) * float32(q[e]))
			}
		}
	}
	return out
}

func qkTypes() []quant.Type { return []quant.Type{quant.Q4_K, quant.Q6_K} }

func TestQKQuantizeAct(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := randSlice(r, 1024)
	for i := 256; i < 512; i++ {
		x[i] = 0 // an all-zero super-block: d = 0, q = 0
	}
	x[600] = 1e30 // one huge value: everything else rounds to 0
	// Exact halves: 127/amax = 1 when amax = 127.
	x[768] = 127
	x[769], x[770], x[771] = 2.5, -3.5, 0.5
	dst := make([]byte, qkActRowBytes(len(x)))
	qkQuantizeAct(dst, x)
	q, d := refQuantize(x)
	for b := 0; b < 4; b++ {
		o := dst[b*qkActBytes:]
		if got := qkActD(o); math.Float32bits(got) != math.Float32bits(d[b]) {
			t.Fatalf("block %d d = %g want %g", b, got, d[b])
		}
		for e := 0; e < 256; e++ {
			if int32(int8(o[e])) != q[b*256+e] {
				t.Fatalf("block %d q[%d] = %d want %d", b, e, int8(o[e]), q[b*256+e])
			}
		}
		for s := 0; s < 16; s++ {
			var want int32
			for e := 16 * s; e < 16*s+16; e++ {
				want += q[b*256+e]
			}
			if got := qkBsum(o, s); got != want {
				t.Fatalf("block %d bsum[%d] = %d want %d", b, s, got, want)
			}
		}
	}
	if o := dst[3*qkActBytes:]; int8(o[1]) != 2 || int8(o[2]) != -4 || int8(o[3]) != 0 || int8(o[0]) != 127 {
		t.Fatalf("half-to-even rounding: %d %d %d %d", int8(o[0]), int8(o[1]), int8(o[2]), int8(o[3]))
	}
}

func TestQKRowDequant(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, ty := range qkTypes() {
		const k, n = 512, 3
		data := qkRandWeights(r, ty, k, n)
		w, err := NewQMatrix(ty, k, n, append([]byte(nil), data...))
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := ty.RowBytes(k)
		got := make([]float32, k)
		for j := 0; j < n; j++ {
			w.Row(j, got)
			want := refDequant(ty, data[j*rb:], k)
			for e := range want {
				if math.Float32bits(got[e]) != math.Float32bits(want[e]) {
					t.Fatalf("%s row %d element %d = %g want %g", ty, j, e, got[e], want[e])
				}
			}
		}
	}
}

// TestQKHandWorked checks one Q4_K and one Q6_K block worked by hand.
func TestQKHandWorked(t *testing.T) {
	// Q4_K: d = 1, dmin = 0.5; sub-block 0 scale 3 min 2, sub-block 5
	// (j >= 4: low nibble of scales[9], top bits of scales[1]) scale
	// 0x1a = 26 and min (scales[9]>>4 | scales[5]>>6<<4) = 0x25 = 37.
	blk := make([]byte, 144)
	binary.LittleEndian.PutUint16(blk[0:], 0x3c00) // 1.0
	binary.LittleEndian.PutUint16(blk[2:], 0x3800) // 0.5
	blk[4+0] = 3
	blk[4+4] = 2
	blk[4+9] = 0x5a     // sc5 low 4 = 0xa, m5 low 4 = 5
	blk[4+1] = 1 << 6   // sc5 high 2 bits = 1 -> 0x1a
	blk[4+5] = 2<<6 | 0 // m5 high 2 bits = 2 -> 0x25
	blk[16+0] = 0x07    // element 0: 7
	blk[16+65] = 0x90   // element 64*2+32+1 = 161 (sub-block 5, high nibble of qs[65]): 9
	w, err := NewQMatrix(quant.Q4_K, 256, 1, blk)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, 256)
	w.Row(0, y)
	if y[0] != 3*7-0.5*2 || y[1] != -1 || y[161] != 26*9-0.5*37 || y[160] != -0.5*37 {
		t.Fatalf("Q4_K: y[0]=%g y[1]=%g y[160]=%g y[161]=%g", y[0], y[1], y[160], y[161])
	}
	// Q6_K: d = 2; element 128+64+3 (half 1, third quarter, l = 3: ql[64+3]
	// high nibble, qh[32+3] bits 4-5; sub-block 12) and element 5.
	b6 := make([]byte, 210)
	binary.LittleEndian.PutUint16(b6[208:], 0x4000) // 2.0
	b6[64+3] = 0xb0                                 // high nibble 11
	b6[128+32+3] = 2 << 4                           // bits 4-5 = 2 -> q = 11 | 32 = 43
	b6[192+12] = 0xfd                               // scale -3
	b6[192+0] = 5
	b6[5] = 0x01 // q = 1
	w6, err := NewQMatrix(quant.Q6_K, 256, 1, b6)
	if err != nil {
		t.Fatal(err)
	}
	w6.Row(0, y)
	if y[195] != 2*-3*(43-32) || y[5] != 2*5*(1-32) || y[0] != 2*5*-32 || y[196] != 2*-3*-32 {
		t.Fatalf("Q6_K: y[195]=%g y[5]=%g y[0]=%g", y[195], y[5], y[0])
	}
}

func TestQKNewQMatrixRejects(t *testing.T) {
	for _, ty := range qkTypes() {
		if _, err := NewQMatrix(ty, 100, 2, make([]byte, 10)); err == nil {
			t.Errorf("%s: K not a multiple of 256 accepted", ty)
		}
		rb, _ := ty.RowBytes(256)
		if _, err := NewQMatrix(ty, 256, 2, make([]byte, rb)); err == nil {
			t.Errorf("%s: short data accepted", ty)
		}
		if !QSupported(ty) {
			t.Errorf("%s not registered", ty)
		}
	}
}

// TestQKMatMul checks every path, GOMAXPROCS 1 and 4 (threaded split
// forced), batched and alone, odd N and bias nil / non-nil against the
// reference, bit for bit, and closeness to the f32 product.
func TestQKMatMul(t *testing.T) {
	defer Use(Current())
	defer SetParallelMin(SetParallelMin(1))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	r := rand.New(rand.NewPCG(11, 12))
	for _, ty := range qkTypes() {
		for _, sh := range [][3]int{{1, 256, 1}, {5, 768, 13}, {9, 512, 67}, {2, 1024, 5}} {
			m, k, n := sh[0], sh[1], sh[2]
			data := qkRandWeights(r, ty, k, n)
			w, err := NewQMatrix(ty, k, n, append([]byte(nil), data...))
			if err != nil {
				t.Fatal(err)
			}
			a := randSlice(r, m*k)
			a[3] = 40 // one outlier: coarse activation scale in its block
			bias := randSlice(r, n)
			for _, bb := range [][]float32{nil, bias} {
				want := refQMatMul(ty, a, m, k, data, n, bb)
				qkCheckClose(t, ty, a, m, k, w, bb, want)
				for _, path := range Available() {
					if err := Use(path); err != nil {
						t.Fatal(err)
					}
					for _, procs := range []int{1, 4} {
						runtime.GOMAXPROCS(procs)
						ldc := n + 3
						c := make([]float32, m*ldc)
						QMatMul(c, ldc, a, k, m, w, bb)
						for i := 0; i < m; i++ {
							for j := 0; j < n; j++ {
								if math.Float32bits(c[i*ldc+j]) != math.Float32bits(want[i*n+j]) {
									t.Fatalf("%s %v m=%d k=%d n=%d bias=%v path %s procs %d: c[%d][%d] = %g want %g",
										ty, sh, m, k, n, bb != nil, path, procs, i, j, c[i*ldc+j], want[i*n+j])
								}
							}
							if c[i*ldc+n] != 0 {
								t.Fatalf("%s path %s wrote past N", ty, path)
							}
						}
						// Each row alone gives the same bits as in the batch.
						for i := 0; i < m; i++ {
							c1 := make([]float32, n)
							QMatMul(c1, n, a[i*k:], k, 1, w, bb)
							for j := 0; j < n; j++ {
								if math.Float32bits(c1[j]) != math.Float32bits(want[i*n+j]) {
									t.Fatalf("%s path %s: row %d alone differs at %d", ty, path, i, j)
								}
							}
						}
					}
				}
			}
		}
	}
}

// qkCheckClose compares with the f32 product of the dequantized weights:
// the error comes from the activations' rounding (at most d_a/2 per
// element), so it is bounded by sum |w| * d_a / 2 per super-block, plus
// float rounding.
func qkCheckClose(t *testing.T, ty quant.Type, a []float32, m, k int, w *QMatrix, bias, got []float32) {
	t.Helper()
	row := make([]float32, k)
	for j := 0; j < w.N; j++ {
		w.Row(j, row)
		for i := 0; i < m; i++ {
			var exact, bound float64
			if bias != nil {
				exact = float64(bias[j])
			}
			_, da := refQuantize(a[i*k : (i+1)*k])
			for e := 0; e < k; e++ {
				exact += float64(row[e]) * float64(a[i*k+e])
				bound += math.Abs(float64(row[e])) * (float64(da[e/256])/2 + 1e-6*math.Abs(float64(a[i*k+e])))
			}
			bound += 1e-5 * (math.Abs(exact) + 1)
			if diff := math.Abs(float64(got[i*w.N+j]) - exact); diff > bound {
				t.Fatalf("%s c[%d][%d] = %g, f32 product %g, off by %g > bound %g", ty, i, j, got[i*w.N+j], exact, diff, bound)
			}
		}
	}
}
