//go:build amd64 && !purego

package kernels

//go:generate go run asmgen_mv.go

//go:noescape
func mv512(c, a, b *float32, k int, bias *float32)

//go:noescape
func mv256(c, a, b *float32, k int, bias *float32)

const (
	mvNone = iota
	mv512Kind
	mv256Kind
)

func init() {
	if _, ok := impls[AVX512]; ok {
		mvKernels[AVX512] = mv512Kind
	}
	if _, ok := impls[AVX2]; ok {
		mvKernels[AVX2] = mv256Kind
	}
}

// mvRun calls the one-row kernel kind names (the caller checked bounds).
func mvRun(kind int, c, a, b *float32, k int, bias *float32) {
	switch kind {
	case mv512Kind:
		mv512(c, a, b, k, bias)
	case mv256Kind:
		mv256(c, a, b, k, bias)
	default:
		panic("kernels: no one-row kernel")
	}
}
