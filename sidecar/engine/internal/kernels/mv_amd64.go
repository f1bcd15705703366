//go:build amd64 && !purego

package kernels

//go:generate go run asmgen_mv.go

//go:noescape
func mv512(c, a, b *float32, k int, bias *float32)

//go:noescape
func mv256(c, a, b *float32, k int, bias *float32)

func init() {
	if _, ok := impls[AVX512]; ok {
		mvKernels[AVX512] = mv512
	}
	if _, ok := impls[AVX2]; ok {
		mvKernels[AVX2] = mv256
	}
}
