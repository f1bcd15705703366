package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// BenchmarkMatMulGPT2 is the GPT-2 MLP shape M=1024, K=768, N=3072; it
// reports GFLOP/s (2 flops per multiply-add).
func BenchmarkMatMulGPT2(b *testing.B) {
	for _, path := range Available() {
		if path == Portable {
			continue // hundreds of times slower; covered by tests
		}
		b.Run(path.String(), func(b *testing.B) {
			Use(path)
			defer Use(Available()[len(Available())-1])
			benchMatMul(b, 1024, 768, 3072)
		})
	}
}

// BenchmarkMatVec is the generation shape (one row).
func BenchmarkMatVec(b *testing.B) { benchMatMul(b, 1, 768, 3072) }

// BenchmarkMatMulHalf is BenchmarkMatMulGPT2 and BenchmarkMatVec over F16
// and BF16 panels, per path.
func BenchmarkMatMulHalf(b *testing.B) {
	for _, f := range []Format{F16, BF16} {
		for _, path := range Available() {
			if path == Portable {
				continue
			}
			for _, m := range []int{1024, 1} {
				b.Run(fmt.Sprintf("%s/%s/m%d", f, path, m), func(b *testing.B) {
					Use(path)
					defer Use(Available()[len(Available())-1])
					r := rand.New(rand.NewPCG(1, 1))
					k, n := 768, 3072
					a := randSlice(r, m*k)
					p := PackHalf(randHalves(r, k*n, f), k, n, false, f)
					c := make([]float32, m*n)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						MatMul(c, n, a, k, m, k, n, p, nil)
					}
					b.ReportMetric(2*float64(m)*float64(k)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

func benchMatMul(b *testing.B, m, k, n int) {
	r := rand.New(rand.NewPCG(1, 1))
	a := randSlice(r, m*k)
	p := Pack(randSlice(r, k*n), k, n, false)
	c := make([]float32, m*n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		MatMul(c, n, a, k, m, k, n, p, nil)
	}
	b.ReportMetric(2*float64(m)*float64(k)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkFMAPeak measures the machine's FMA throughput with a register-
// only loop on every thread, the ceiling the matmul is compared against.
func BenchmarkFMAPeak(b *testing.B) {
	for _, path := range Available() {
		if path == Portable {
			continue
		}
		b.Run(path.String(), func(b *testing.B) {
			threads := runtime.GOMAXPROCS(0)
			const iters = 1 << 20
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var wg sync.WaitGroup
				for t := 0; t < threads; t++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						fmaPeak(path, iters)
					}()
				}
				wg.Wait()
			}
			lanes := 8.0
			if path == AVX512 {
				lanes = 16
			}
			flops := 2 * lanes * fmaPeakChains * iters * float64(threads) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
