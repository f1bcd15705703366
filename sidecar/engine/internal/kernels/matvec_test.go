package kernels

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMatMulsMatchesDefinition: MatMuls gives the definition's bits (the
// ascending-k FMA chain from the bias) on every path, for one-row products
// (the decode kernels) and several rows, full and partial panels, with and
// without bias, several products in one call, split across threads or not,
// at GOMAXPROCS 1 and 4.
func TestMatMulsMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type tc struct {
		m, k, n int
		bias    bool
	}
	// One call: products of different k (so the cost split cuts inside
	// products) and a partial panel.
	cases := []tc{{1, 300, 70, true}, {1, 768, 200, false}, {1, 5, 64, true}, {3, 64, 130, true}, {1, 1, 1, false}, {1, 2, 65, true}}
	var ps []Product
	var want [][]float32
	for _, c := range cases {
		a, w := randSlice(r, c.m*c.k), randSlice(r, c.k*c.n)
		var bias []float32
		if c.bias {
			bias = randSlice(r, c.n)
		}
		want = append(want, refMatMul(a, c.m, c.k, c.n, w, bias))
		// Row stride of C larger than n, as forward's fused qkv rows use.
		ps = append(ps, Product{C: make([]float32, c.m*(c.n+3)), Ldc: c.n + 3, A: a, Lda: c.k, M: c.m, K: c.k, N: c.n, B: Pack(w, c.k, c.n, false), Bias: bias})
	}
	defer Use(Current())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer SetParallelMin(SetParallelMin(parallelMin))
	for _, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		for _, pm := range []int{1 << 40, 1} {
			SetParallelMin(pm)
			for _, path := range Available() {
				Use(path)
				for i := range ps {
					clear(ps[i].C)
				}
				MatMuls(ps)
				for i, c := range cases {
					for row := 0; row < c.m; row++ {
						for j := 0; j < c.n; j++ {
							got, w := ps[i].C[row*ps[i].Ldc+j], want[i][row*c.n+j]
							if math.Float32bits(got) != math.Float32bits(w) {
								t.Fatalf("procs %d split %v %s case %v: c[%d][%d] = %g want %g", procs, pm == 1, path, c, row, j, got, w)
							}
						}
						// Nothing written past n in the padded rows.
						for j := c.n; j < ps[i].Ldc; j++ {
							if ps[i].C[row*ps[i].Ldc+j] != 0 {
								t.Fatalf("case %v: wrote past column n", c)
							}
						}
					}
				}
			}
		}
	}
}

// TestMatMulsHalfPanels: one-row products over f16/bf16 panels (no one-row
// kernel) give MatMul's bits.
func TestMatMulsHalfPanels(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	k, n := 100, 150
	a := randSlice(r, k)
	h := make([]uint16, k*n)
	for i := range h {
		h[i] = uint16(r.Uint32()) &^ 0x7c00 // finite f16, normal-ish bf16
	}
	defer Use(Current())
	for _, f := range []Format{F16, BF16} {
		pn := PackHalf(h, k, n, false, f)
		for _, path := range Available() {
			Use(path)
			want := make([]float32, n)
			MatMul(want, n, a, k, 1, k, n, pn, nil)
			got := make([]float32, n)
			MatMuls([]Product{{C: got, Ldc: n, A: a, Lda: k, M: 1, K: k, N: n, B: pn}})
			for j := range want {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
					t.Fatalf("%s %s: c[%d] = %g want %g", f, path, j, got[j], want[j])
				}
			}
		}
	}
}

// TestRunShares: every share runs exactly once per call, the call returns
// only after all of them, with workers spinning (back-to-back calls),
// parked (a pause longer than spinFor between calls) and several callers at
// once (one gets the pool, the others fresh goroutines).
func TestRunShares(t *testing.T) {
	check := func(n int) {
		counts := make([]atomic.Int32, n)
		RunShares(n, func(w int) {
			if w%2 == 0 {
				time.Sleep(20 * time.Microsecond)
			}
			counts[w].Add(1)
		})
		for w := range counts {
			if c := counts[w].Load(); c != 1 {
				t.Errorf("RunShares(%d): share %d ran %d times", n, w, c)
			}
		}
	}
	for i := 0; i < 200; i++ {
		check(1 + i%5)
	}
	for i := 0; i < 5; i++ {
		time.Sleep(3 * spinFor)
		check(3)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				check(2 + (g+i)%3)
			}
		}()
	}
	wg.Wait()
	RunShares(0, func(int) { t.Error("share ran for n=0") })
}

// TestRunChunks: every chunk runs once, thread numbers stay below threads,
// and no two chunks run on the same thread number at once (callers index
// per-thread scratch by it).
func TestRunChunks(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for i := 0; i < 300; i++ {
		threads, chunks := 1+i%4, 1+i%13
		counts := make([]atomic.Int32, chunks)
		busy := make([]atomic.Bool, threads)
		RunChunks(threads, chunks, func(th, c int) {
			if th < 0 || th >= threads {
				t.Errorf("thread %d of %d", th, threads)
				return
			}
			if !busy[th].CompareAndSwap(false, true) {
				t.Errorf("two chunks on thread %d at once", th)
			}
			if c%3 == 0 {
				time.Sleep(10 * time.Microsecond)
			}
			counts[c].Add(1)
			busy[th].Store(false)
		})
		for c := range counts {
			if n := counts[c].Load(); n != 1 {
				t.Fatalf("RunChunks(%d, %d): chunk %d ran %d times", threads, chunks, c, n)
			}
		}
		if i%50 == 0 {
			time.Sleep(3 * spinFor) // let the workers park
		}
	}
}

// While as many forward passes run as there are threads, no product is split; with
// fewer, a product over the threshold is.
func TestPoolWorkersWhilePassesRun(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	big := 1 << 22
	require.Equal(t, 2, PoolWorkers(big))
	require.Equal(t, 1, PoolWorkers(1))
	BeginPass()
	require.Equal(t, 2, PoolWorkers(big), "one pass alone splits")
	BeginPass()
	require.Equal(t, 1, PoolWorkers(big), "two passes on two threads: each runs alone")
	EndPass()
	require.Equal(t, 2, PoolWorkers(big))
	EndPass()
}
