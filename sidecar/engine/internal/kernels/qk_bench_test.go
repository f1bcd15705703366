package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// BenchmarkQK runs Q4_K, Q6_K and the f32 MatMul on GPT-2 small shapes
// (K -> N) for m = 1 (reporting GB/s of weights read) and m = 512
// (GOP/s, 2 per multiply-add), on every SIMD path:
//
//	go test -run '^$' -bench BenchmarkQK ./sidecar/engine/internal/kernels
func BenchmarkQK(b *testing.B) {
	defer Use(Current())
	shapes := [][2]int{{768, 2304}, {768, 3072}, {3072, 768}, {768, 50257}}
	for _, path := range Available() {
		if path == Portable {
			continue
		}
		for _, sh := range shapes {
			k, n := sh[0], sh[1]
			for _, m := range []int{1, 512} {
				if m == 512 && n == 50257 {
					continue // the logits run once per prompt, not per token
				}
				for _, ty := range []quant.Type{quant.Q4_K, quant.Q6_K, quant.F32} {
					b.Run(fmt.Sprintf("%s/%s/%dx%d/m%d", path, ty, k, n, m), func(b *testing.B) {
						Use(path)
						benchQK(b, ty, m, k, n)
					})
				}
			}
		}
	}
}

func benchQK(b *testing.B, ty quant.Type, m, k, n int) {
	r := rand.New(rand.NewPCG(1, 1))
	a := randSlice(r, m*k)
	c := make([]float32, m*n)
	var bytes float64
	var run func()
	if ty == quant.F32 {
		p := Pack(randSlice(r, k*n), k, n, false)
		bytes = float64(p.Bytes())
		run = func() { MatMul(c, n, a, k, m, k, n, p, nil) }
	} else {
		w, err := NewQMatrix(ty, k, n, qkRandWeights(r, ty, k, n))
		if err != nil {
			b.Fatal(err)
		}
		bytes = float64(len(w.Data))
		run = func() { QMatMul(c, n, a, k, m, w, nil) }
	}
	run()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
	s := b.Elapsed().Seconds()
	if m == 1 {
		b.ReportMetric(bytes*float64(b.N)/s/1e9, "GB/s")
	} else {
		b.ReportMetric(2*float64(m)*float64(k)*float64(n)*float64(b.N)/s/1e9, "GOP/s")
	}
}
