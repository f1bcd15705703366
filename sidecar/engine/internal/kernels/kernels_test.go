package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func exactFMA(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(2000).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

func TestFMA32Exact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bits := func() float32 {
		// Mix of ordinary values and nasty ones (near-midpoints, tiny, huge).
		switch r.IntN(4) {
		case 0:
			return math.Float32frombits(r.Uint32() & 0xbfffffff) // any finite-ish
		case 1:
			return float32(r.NormFloat64())
		case 2:
			return float32(1 + float64(r.IntN(1<<12))/(1<<24))
		}
		return float32(r.NormFloat64() * 1e-30)
	}
	for i := 0; i < 200000; i++ {
		a, b, c := bits(), bits(), bits()
		if i%3 == 0 {
			// c chosen so a*b+c lands near a float32 rounding midpoint.
			c = -float32(float64(a) * float64(b))
		}
		got, want := FMA32(a, b, c), exactFMA(a, b, c)
		if math.IsNaN(float64(want)) || math.IsInf(float64(want), 0) {
			continue
		}
		if math.Float32bits(got) != math.Float32bits(want) && !(got == 0 && want == 0) {
			t.Fatalf("FMA32(%g,%g,%g) = %g want %g", a, b, c, got, want)
		}
	}
	// A classic double-rounding case: product exactly halfway plus a tiny c.
	a, b := float32(1+1.0/(1<<12)), float32(1+1.0/(1<<12)) // a*b = 1 + 2^-11 + 2^-24
	c := float32(math.Ldexp(1, -70))
	if got, want := FMA32(a, b, c), exactFMA(a, b, c); got != want {
		t.Fatalf("double rounding: %g want %g", got, want)
	}
}

func TestExpAccuracy(t *testing.T) {
	for x := float32(-87); x <= 88; x += 0.0137 {
		got, want := float64(Exp1(x)), math.Exp(float64(x))
		if math.Abs(got-want)/want > 4e-7 {
			t.Fatalf("Exp1(%g) = %g want %g", x, got, want)
		}
	}
	if Exp1(-1000) <= 0 || Exp1(-1000) > 1e-37 || math.IsInf(float64(Exp1(1000)), 0) {
		t.Fatal("clamping")
	}
	for _, x := range []float32{-6, -1, -0.1, 0, 0.5, 3, 8} {
		g := float64(gelu1(x))
		want := 0.5 * float64(x) * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(float64(x)+0.044715*math.Pow(float64(x), 3))))
		if math.Abs(g-want) > 1e-6*(1+math.Abs(want)) {
			t.Errorf("gelu(%g) = %g want %g", x, g, want)
		}
		s := float64(silu1(x))
		if want := float64(x) / (1 + math.Exp(-float64(x))); math.Abs(s-want) > 1e-6*(1+math.Abs(want)) {
			t.Errorf("silu(%g) = %g want %g", x, s, want)
		}
	}
}

func TestLog(t *testing.T) {
	for _, x := range []float64{1e-300, 1e-9, 0.3, 0.7071, 1, 1.5, 2, 10, 50257, 1e300} {
		if got, want := Log(x), math.Log(x); math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Errorf("Log(%g) = %.17g want %.17g", x, got, want)
		}
	}
	if !math.IsInf(Log(0), -1) || !math.IsNaN(Log(-1)) {
		t.Error("Log edge cases")
	}
}

func TestSumTreeOrder(t *testing.T) {
	// Lane j holds elements j, j+16, ...; the tree adds lane j+w into lane j.
	x := make([]float32, 37)
	for i := range x {
		x[i] = float32(i) * 0.1
	}
	var l [16]float32
	for i, v := range x {
		l[i%16] += v
	}
	for w := 8; w >= 1; w /= 2 {
		for j := 0; j < w; j++ {
			l[j] += l[j+w]
		}
	}
	if Sum(x) != l[0] {
		t.Fatalf("Sum = %v want %v", Sum(x), l[0])
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// refMatMul is the definition: ascending-k FMA chains from the bias.
func refMatMul(a []float32, m, k, n int, w []float32, bias []float32) []float32 {
	c := make([]float32, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var acc float32
			if bias != nil {
				acc = bias[j]
			}
			for kk := 0; kk < k; kk++ {
				acc = FMA32(a[i*k+kk], w[kk*n+j], acc)
			}
			c[i*n+j] = acc
		}
	}
	return c
}

func TestMatMulMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, sh := range [][3]int{{1, 1, 1}, {7, 300, 70}, {13, 64, 128}, {6, 520, 65}, {2, 5, 200}} {
		m, k, n := sh[0], sh[1], sh[2]
		a, w, bias := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n)
		for _, bb := range [][]float32{nil, bias} {
			want := refMatMul(a, m, k, n, w, bb)
			for _, tr := range []bool{false, true} {
				src := w
				if tr {
					src = make([]float32, k*n)
					for kk := 0; kk < k; kk++ {
						for j := 0; j < n; j++ {
							src[j*k+kk] = w[kk*n+j]
						}
					}
				}
				p := Pack(src, k, n, tr)
				for _, path := range Available() {
					Use(path)
					got := make([]float32, m*n)
					MatMul(got, n, a, k, m, k, n, p, bb)
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s shape %v bias %v: c[%d] = %g want %g", path, sh, bb != nil, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
	Use(Available()[len(Available())-1])
}

// TestMatMulThreads: the same bits whatever the split across goroutines.
func TestMatMulThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m, k, n := 40, 300, 700
	a, w := randSlice(r, m*k), randSlice(r, k*n)
	p := Pack(w, k, n, false)
	old := parallelMin
	defer func() { parallelMin = old }()
	parallelMin = 1 << 40
	one := make([]float32, m*n)
	MatMul(one, n, a, k, m, k, n, p, nil)
	parallelMin = 1
	many := make([]float32, m*n)
	MatMul(many, n, a, k, m, k, n, p, nil)
	for i := range one {
		if math.Float32bits(one[i]) != math.Float32bits(many[i]) {
			t.Fatalf("thread split changed c[%d]", i)
		}
	}
}

// TestElementwisePaths: every path gives the portable bits for exp, GELU,
// SiLU, including lengths that leave a tail.
func TestElementwisePaths(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 15, 16, 17, 100, 1000} {
		x := randSlice(r, n)
		for i := range x {
			x[i] *= 12 // cover the clamps
		}
		u := randSlice(r, n)
		want := map[string][]float32{}
		for _, path := range Available() {
			Use(path)
			e := make([]float32, n)
			ExpSub(e, x, 0.5)
			g := append([]float32(nil), x...)
			GELU(g)
			s := append([]float32(nil), x...)
			SiLUMul(s, u)
			got := map[string][]float32{"exp": e, "gelu": g, "silu": s}
			for name, v := range got {
				if path == Portable {
					want[name] = v
					continue
				}
				for i := range v {
					if math.Float32bits(v[i]) != math.Float32bits(want[name][i]) {
						t.Fatalf("%s %s n=%d: [%d] = %g want %g (x=%g)", path, name, n, i, v[i], want[name][i], x[i])
					}
				}
			}
		}
	}
	Use(Available()[len(Available())-1])
}

func TestPathsAvailable(t *testing.T) {
	t.Logf("paths %v, using %s", Available(), Current())
	if Current() != Available()[len(Available())-1] {
		t.Fatalf("not using the best path")
	}
}

// TestReductionPaths: the vector reductions, norms and element-wise passes
// give the portable path's bits on every path, including NaN and signed
// zeros for Max.
func TestReductionPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	nan := float32(math.NaN())
	for _, n := range []int{0, 1, 15, 16, 17, 33, 100, 768, 1001} {
		x := randSlice(r, n)
		for i := range x {
			x[i] *= 7
		}
		w, bb, y := randSlice(r, n), randSlice(r, n), randSlice(r, n)
		zeros := make([]float32, n)
		for i := range zeros {
			if i%3 == 0 {
				zeros[i] = float32(math.Copysign(0, -1))
			}
		}
		withNaN := append([]float32(nil), x...)
		if n > 0 {
			withNaN[n/2] = nan
		}
		var want []uint32
		for _, path := range Available() {
			Use(path)
			var got []uint32
			put := func(v ...float32) {
				for _, f := range v {
					got = append(got, math.Float32bits(f))
				}
			}
			put(Sum(x), SumSquares(x, 0.25), Max(x), Max(zeros), Max(withNaN))
			s := append([]float32(nil), x...)
			Scale(s, 0.125)
			a := append([]float32(nil), x...)
			Add(a, y)
			put(s...)
			put(a...)
			if n > 0 {
				ln, rn, sm := make([]float32, n), make([]float32, n), append([]float32(nil), x...)
				LayerNorm(ln, x, w, bb, 1e-5)
				RMSNorm(rn, x, w, 1e-6)
				SoftmaxInPlace(sm)
				put(ln...)
				put(rn...)
				put(sm...)
			}
			if path == Portable {
				want = got
				continue
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s n=%d: output %d is %08x, portable %08x", path, n, i, got[i], want[i])
				}
			}
		}
	}
	Use(Available()[len(Available())-1])
}

// TestHotKernelsDoNotAllocate: the reductions and a matmul over full panels run
// per row and per head; an allocation in them was an eighth of a small model's CPU
// in malloc and GC.
func TestHotKernelsDoNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x := randSlice(r, 1000)
	m, k, n := 4, 64, 4*NR
	a, w, bias := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n)
	p := Pack(w, k, n, false)
	c := make([]float32, m*n)
	for _, path := range Available() {
		Use(path)
		allocs := testing.AllocsPerRun(50, func() {
			_ = Sum(x)
			_ = Max(x)
			_ = SumSquares(x, 0.5)
			SoftmaxInPlace(x[:100])
			matmulRange(cur(), c, n, a, k, m, k, n, p, bias, 0, n/NR)
		})
		if allocs != 0 {
			t.Errorf("%s path: %v allocations per call", path, allocs)
		}
	}
	Use(Available()[len(Available())-1])
}
