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

//go:noescape
func qk4vnnix1(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk4vnnix2(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk4vnnix3(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk4vnnix4(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6vnnix1(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6vnnix2(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6vnnix3(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

//go:noescape
func qk6vnnix4(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

type qkAsm func(c *float32, ldc int, w *byte, nrows int, a *byte, ab int, nb int, bias *float32)

var (
	qk4avx2 = [qkMaxRows + 1]qkAsm{nil, qk4avx2x1, qk4avx2x2, qk4avx2x3, qk4avx2x4}
	qk6avx2 = [qkMaxRows + 1]qkAsm{nil, qk6avx2x1, qk6avx2x2, qk6avx2x3, qk6avx2x4}
	qk4vnni = [qkMaxRows + 1]qkAsm{nil, qk4vnnix1, qk4vnnix2, qk4vnnix3, qk4vnnix4}
	qk6vnni = [qkMaxRows + 1]qkAsm{nil, qk6vnnix1, qk6vnnix2, qk6vnnix3, qk6vnnix4}
)

func init() {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA || !hasF16C() {
		return // portable (same bits)
	}
	qkImpls[AVX2] = qkKernels{q4: qkWrap(&qk4avx2, qk4Bytes), q6: qkWrap(&qk6avx2, qk6Bytes)}
	// The AVX-512 kernels need VPDPWSSD (VNNI) and VPERMW (BW); without
	// them the AVX-512 path runs the AVX2 kernels (same bits).
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI {
		qkImpls[AVX512] = qkKernels{q4: qkWrap(&qk4vnni, qk4Bytes), q6: qkWrap(&qk6vnni, qk6Bytes)}
	}
}

func qkWrap(fs *[qkMaxRows + 1]qkAsm, bs int) qkKernel {
	return func(c []float32, ldc int, w []byte, nrows int, a []byte, ab, nb int, bias []float32, r int) {
		qkCall(fs[r], bs, c, ldc, w, nrows, a, ab, nb, bias, r)
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
