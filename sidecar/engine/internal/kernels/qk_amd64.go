//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run asmgen_qk.go

//go:noescape
func qk4avx2x1(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk4avx2x2(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk4avx2x3(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk4avx2x4(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6avx2x1(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6avx2x2(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6avx2x3(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6avx2x4(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

type qkAsm func(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

var (
	qk4avx2 = [qkMaxRows + 1]qkAsm{nil, qk4avx2x1, qk4avx2x2, qk4avx2x3, qk4avx2x4}
	qk6avx2 = [qkMaxRows + 1]qkAsm{nil, qk6avx2x1, qk6avx2x2, qk6avx2x3, qk6avx2x4}
)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && hasF16C() {
		k := qkKernels{
			q4: func(c []float32, ldc int, w []byte, nrows int, a []byte, ab, nb int, bias []float32, r int) {
				qkCall(qk4avx2[r], qk4Bytes, c, ldc, w, nrows, a, ab, nb, bias, r)
			},
			q6: func(c []float32, ldc int, w []byte, nrows int, a []byte, ab, nb int, bias []float32, r int) {
				qkCall(qk6avx2[r], qk6Bytes, c, ldc, w, nrows, a, ab, nb, bias, r)
			},
		}
		// The AVX-512 path uses the AVX2 kernels (same bits) until it has
		// its own.
		qkImpls[AVX2] = k
	}
}

// qkCall bounds-checks what the assembly touches, so a caller's bug
// panics in Go instead of corrupting memory.
func qkCall(f qkAsm, bs int, c []float32, ldc int, w []byte, nrows int, a []byte, ab, nb int, bias []float32, r int) {
	if nrows <= 0 || nb <= 0 {
		return
	}
	_ = c[(r-1)*ldc+nrows-1]
	_ = w[nrows*nb*bs-1]
	_ = a[(r-1)*ab+nb*qkActBytes-1]
	var bp *float32
	if bias != nil {
		_ = bias[nrows-1]
		bp = &bias[0]
	}
	f(&c[0], ldc, &w[0], nrows, &a[0], ab, nb, bp)
}
