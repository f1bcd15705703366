package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// halfRef is the value of an IEEE binary16 computed from its definition
// (sign, 5-bit biased exponent, 10-bit fraction), independently of
// HalfToF32's bit manipulation. Only finite values.
func halfRef(h uint16) float64 {
	s := 1.0
	if h&0x8000 != 0 {
		s = -1
	}
	e := int(h>>10) & 0x1f
	f := float64(h & 0x3ff)
	if e == 0 {
		return s * math.Ldexp(f, -24)
	}
	return s * math.Ldexp(1024+f, e-25)
}

// TestHalfToF32Exhaustive: every finite half widens to its exact value,
// and through every path's tile (1 x value + 0, so the tile's widening is
// what is checked) to the same bits.
func TestHalfToF32Exhaustive(t *testing.T) {
	var vals []uint16
	for h := 0; h < 1<<16; h++ {
		if h&0x7c00 == 0x7c00 {
			continue // Inf/NaN: the loader refuses them
		}
		vals = append(vals, uint16(h))
		if got, want := HalfToF32(uint16(h)), halfRef(uint16(h)); float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Fatalf("HalfToF32(%04x) = %g want %g", h, got, want)
		}
		if got, want := BF16ToF32(uint16(h)), math.Float32frombits(uint32(h)<<16); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("BF16ToF32(%04x) = %g", h, got)
		}
	}
	for _, f := range []Format{F16, BF16} {
		var bvals []uint16
		for _, h := range vals {
			if f == BF16 && h&0x7f80 == 0x7f80 {
				continue
			}
			bvals = append(bvals, h)
		}
		n := len(bvals)
		p := PackHalf(bvals, 1, n, false, f)
		for _, path := range Available() {
			Use(path)
			c := make([]float32, n)
			MatMulSerial(c, n, []float32{1}, 1, 1, 1, n, p, nil)
			for i, h := range bvals {
				want := HalfToF32(h)
				if f == BF16 {
					want = BF16ToF32(h)
				}
				want += 0 // 1*(-0)+0 is +0
				if math.Float32bits(c[i]) != math.Float32bits(want) {
					t.Fatalf("%s %s: %04x widened to %g want %g", path, f, h, c[i], want)
				}
			}
		}
	}
	Use(Available()[len(Available())-1])
}

func randHalves(r *rand.Rand, n int, f Format) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		var h uint16
		switch r.IntN(8) {
		case 0:
			h = uint16(r.Uint32()) // any bits, Inf/NaN excluded below
		case 1:
			h = uint16(r.Uint32()) & 0x83ff // subnormals (f16) / tiny (bf16)
		default:
			v := float32(r.NormFloat64())
			if f == F16 {
				h = f32ToHalfTrunc(v)
			} else {
				h = uint16(math.Float32bits(v) >> 16)
			}
		}
		if f == F16 && h&0x7c00 == 0x7c00 || f == BF16 && h&0x7f80 == 0x7f80 {
			h &^= 0x4000
		}
		out[i] = h
	}
	return out
}

// f32ToHalfTrunc truncates a normal-range float32 to binary16 (enough to
// make ordinary weight-like test values).
func f32ToHalfTrunc(v float32) uint16 {
	b := math.Float32bits(v)
	e := int(b>>23&0xff) - 127 + 15
	if e <= 0 {
		return uint16(b>>16) & 0x8000
	}
	if e >= 31 {
		e = 30
	}
	return uint16(b>>16)&0x8000 | uint16(e)<<10 | uint16(b>>13)&0x3ff
}

// TestMatMulHalfPanels: F16 and BF16 panels give, on every path and at
// GOMAXPROCS 1 and 4 (threaded split forced), the bits of the portable
// product over F32 panels holding the widened values, for shapes with
// partial panels, several k blocks, every row count and with and without
// bias.
func TestMatMulHalfPanels(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	old := SetParallelMin(1)
	defer SetParallelMin(old)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer Use(Available()[len(Available())-1])
	for _, f := range []Format{F16, BF16} {
		for _, sh := range [][3]int{{1, 1, 1}, {7, 300, 70}, {13, 64, 128}, {6, 520, 65}, {2, 5, 200}, {5, 768, 192}, {4, 33, 64}, {3, 17, 3}} {
			m, k, n := sh[0], sh[1], sh[2]
			a, bias := randSlice(r, m*k), randSlice(r, n)
			w := randHalves(r, k*n, f)
			for _, tr := range []bool{false, true} {
				p := PackHalf(w, k, n, tr, f)
				wide := p.Widen()
				if wide.Fmt != F32 || p.Bytes() != 2*int64(len(wide.Data)) {
					t.Fatalf("Widen/Bytes: %v %d", wide.Fmt, p.Bytes())
				}
				// The widened panels hold the converted values in place.
				for col := 0; col < n; col++ {
					for kk := 0; kk < k; kk++ {
						src := w[kk*n+col]
						if tr {
							src = w[col*k+kk]
						}
						want := HalfToF32(src)
						if f == BF16 {
							want = BF16ToF32(src)
						}
						if got := wide.Data[(col/NR)*wide.Stride+kk*NR+col%NR]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%s %v tr %v: (%d,%d) = %g want %g", f, sh, tr, kk, col, got, want)
						}
					}
				}
				for _, bb := range [][]float32{nil, bias} {
					Use(Portable)
					want := make([]float32, m*n)
					MatMul(want, n, a, k, m, k, n, wide, bb)
					for _, path := range Available() {
						for _, procs := range []int{1, 4} {
							runtime.GOMAXPROCS(procs)
							Use(path)
							got := make([]float32, m*n)
							MatMul(got, n, a, k, m, k, n, p, bb)
							for i := range want {
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
									t.Fatalf("%s %s procs %d shape %v tr %v bias %v: c[%d] = %g want %g", f, path, procs, sh, tr, bb != nil, i, got[i], want[i])
								}
							}
							// The f32 panels on this path agree as well.
							got32 := make([]float32, m*n)
							MatMul(got32, n, a, k, m, k, n, wide, bb)
							for i := range want {
								if math.Float32bits(got32[i]) != math.Float32bits(want[i]) {
									t.Fatalf("%s f32 procs %d shape %v: c[%d] differs", path, procs, sh, i)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestPanelsColumn: Column reads back every column of each format.
func TestPanelsColumn(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	k, n := 37, 130
	for _, f := range []Format{F32, F16, BF16} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			var p Panels
			want := make([]float32, k*n) // n x k row-major (an embedding table)
			if f == F32 {
				w := randSlice(r, k*n)
				copy(want, w)
				p = Pack(w, k, n, true)
			} else {
				w := randHalves(r, k*n, f)
				ConvertHalf(want, w, f)
				p = PackHalf(w, k, n, true, f)
			}
			got := make([]float32, k)
			for col := 0; col < n; col++ {
				p.Column(col, got)
				for kk := range got {
					if math.Float32bits(got[kk]) != math.Float32bits(want[col*k+kk]) {
						t.Fatalf("column %d row %d = %g want %g", col, kk, got[kk], want[col*k+kk])
					}
				}
			}
		})
	}
}

// TestMatMulsHalfGrouped: MatMuls (decode's grouped products) over F16 and
// BF16 panels, one row and several, gives the bits of MatMul over the
// widened F32 panels on every path and at GOMAXPROCS 1 and 4.
func TestMatMulsHalfGrouped(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer Use(Available()[len(Available())-1])
	for _, f := range []Format{F16, BF16} {
		for _, m := range []int{1, 5} {
			k, n1, n2 := 300, 200, 64
			a := randSlice(r, m*k)
			p1 := PackHalf(randHalves(r, k*n1, f), k, n1, true, f)
			p2 := PackHalf(randHalves(r, k*n2, f), k, n2, false, f)
			bias := randSlice(r, n1)
			Use(Portable)
			w1, w2 := make([]float32, m*n1), make([]float32, m*n2)
			MatMul(w1, n1, a, k, m, k, n1, p1.Widen(), bias)
			MatMul(w2, n2, a, k, m, k, n2, p2.Widen(), nil)
			for _, path := range Available() {
				for _, procs := range []int{1, 4} {
					Use(path)
					runtime.GOMAXPROCS(procs)
					c1, c2 := make([]float32, m*n1), make([]float32, m*n2)
					MatMuls([]Product{
						{C: c1, Ldc: n1, A: a, Lda: k, M: m, K: k, N: n1, B: p1, Bias: bias},
						{C: c2, Ldc: n2, A: a, Lda: k, M: m, K: k, N: n2, B: p2},
					})
					for i := range w1 {
						if math.Float32bits(c1[i]) != math.Float32bits(w1[i]) {
							t.Fatalf("%s %s m %d procs %d: c1[%d] = %g want %g", f, path, m, procs, i, c1[i], w1[i])
						}
					}
					for i := range w2 {
						if math.Float32bits(c2[i]) != math.Float32bits(w2[i]) {
							t.Fatalf("%s %s m %d procs %d: c2[%d] = %g want %g", f, path, m, procs, i, c2[i], w2[i])
						}
					}
				}
			}
		}
	}
}
