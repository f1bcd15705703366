package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// GPT-2 small's matrix shapes (K -> N): attention QKV, MLP up, MLP down,
// the tied LM head.
var gpt2Shapes = [][2]int{{768, 2304}, {768, 3072}, {3072, 768}, {768, 50257}}

// BenchmarkQ32 times QMatMul (activation quantization included) for
// Q8_0 and Q4_0 and the f32 MatMul on GPT-2 small shapes, per path, at
// m = 1 (decode: GB/s of weights read, from memory: see q32ColdBytes) and m = 512 (prompt: GOP/s, two
// operations per multiply-add). Run with -cpu 1 for one thread, e.g.
//
//	go test ./sidecar/engine/internal/kernels -run '^$' -bench 'Q32' -cpu 1
func BenchmarkQ32(b *testing.B) {
	for _, path := range Available() {
		if path == Portable {
			continue
		}
		for _, m := range []int{1, 512} {
			for _, sh := range gpt2Shapes {
				k, n := sh[0], sh[1]
				for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.F32} {
					b.Run(fmt.Sprintf("%s/m=%d/%dx%d/%s", path, m, k, n, typ), func(b *testing.B) {
						Use(path)
						defer Use(Available()[len(Available())-1])
						benchQ32(b, typ, m, k, n)
					})
				}
			}
		}
	}
}

// q32ColdBytes: at m = 1 the benchmark cycles through copies of the
// weights adding up to at least this much, so every call reads them from
// memory as a decode step does (a model is larger than the caches).
const q32ColdBytes = 256 << 20

func benchQ32(b *testing.B, typ quant.Type, m, k, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	a := randSlice(r, m*k)
	c := make([]float32, m*n)
	var bytes int
	var runs []func()
	if typ == quant.F32 {
		p := Pack(randSlice(r, k*n), k, n, false)
		bytes = int(p.Bytes())
		for x := 0; x == 0 || (m == 1 && x*bytes < q32ColdBytes); x++ {
			q := p
			q.Data = append([]float32(nil), p.Data...)
			runs = append(runs, func() { MatMul(c, n, a, k, m, k, n, q, nil) })
		}
	} else {
		gguf := randQ32(r, typ, k, n)
		bytes = len(gguf)
		for x := 0; x == 0 || (m == 1 && x*bytes < q32ColdBytes); x++ {
			w, err := NewQMatrix(typ, k, n, append([]byte(nil), gguf...))
			if err != nil {
				b.Fatal(err)
			}
			runs = append(runs, func() { QMatMul(c, n, a, k, m, w, nil) })
		}
	}
	for _, run := range runs {
		run()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runs[i%len(runs)]()
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	if m == 1 {
		b.ReportMetric(float64(bytes)/s/1e9, "GB/s")
	} else {
		b.ReportMetric(2*float64(m)*float64(k)*float64(n)/s/1e9, "GOP/s")
	}
}

// BenchmarkQ32QuantizeAct is the activation quantization alone (512 rows
// of 768), in GB/s of float32 input.
func BenchmarkQ32QuantizeAct(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const m, k = 512, 768
	a := randSlice(r, m*k)
	dst := make([]byte, m*q32ActRowBytes(k))
	for i := 0; i < b.N; i++ {
		for row := 0; row < m; row++ {
			quantizeAct32(dst[row*q32ActRowBytes(k):], a[row*k:(row+1)*k], 128)
		}
	}
	b.ReportMetric(4*m*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}
