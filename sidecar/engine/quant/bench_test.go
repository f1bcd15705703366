package quant

import (
	"testing"
)

// BenchmarkQuantizeRows quantizes a 2048 x 2048 f32 matrix (a 1B llama's
// attention projection); MB/s counts the f32 input (16 MiB per op).
//
//	go test -run '^$' -bench QuantizeRows ./sidecar/engine/quant/
func BenchmarkQuantizeRows(b *testing.B) {
	const rows, cols = 2048, 2048
	x := randn(11, rows*cols, 0.02)
	for _, ty := range []Type{F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K} {
		b.Run(ty.String(), func(b *testing.B) {
			b.SetBytes(int64(4 * rows * cols))
			for b.Loop() {
				if _, err := QuantizeRows(ty, x, rows, cols); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDequantize decodes one 2048-element row per op (one goroutine);
// MB/s counts the f32 output.
func BenchmarkDequantize(b *testing.B) {
	x := randn(12, 2048, 0.02)
	for _, ty := range []Type{F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K} {
		rb, _ := ty.RowBytes(len(x))
		src := make([]byte, rb)
		if err := Quantize(ty, x, src); err != nil {
			b.Fatal(err)
		}
		dst := make([]float32, len(x))
		b.Run(ty.String(), func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				if err := Dequantize(ty, src, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
