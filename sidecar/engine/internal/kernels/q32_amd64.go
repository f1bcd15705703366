//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run asmgen_q32.go

type q32Fn512 func(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

type q32Fn256 func(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

var (
	q8avx512 = [...]q32Fn512{nil, q8avx512x1, q8avx512x2, q8avx512x3, q8avx512x4, q8avx512x5, q8avx512x6, q8avx512x7, q8avx512x8}
	q4avx512 = [...]q32Fn512{nil, q4avx512x1, q4avx512x2, q4avx512x3, q4avx512x4, q4avx512x5, q4avx512x6, q4avx512x7, q4avx512x8}
	q8avx2   = [...]q32Fn256{nil, q8avx2x1, q8avx2x2, q8avx2x3, q8avx2x4}
	q4avx2   = [...]q32Fn256{nil, q4avx2x1, q4avx2x2, q4avx2x3, q4avx2x4}
	q8avx2g  = [...]q32Fn512{nil, q8avx2g1, q8avx2g2}
	q4avx2g  = [...]q32Fn512{nil, q4avx2g1, q4avx2g2}
)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA { // every AVX2 CPU has F16C (VCVTPH2PS)
		q32Impls[AVX2] = q32Kernels{
			q8: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
				q32Groups256(q8avx2[:], q8avx2g[:], c, ldc, qa, m, w, bias, g0, g1)
			},
			q4: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
				q32Groups256(q4avx2[:], q4avx2g[:], c, ldc, qa, m, w, bias, g0, g1)
			},
		}
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI {
		q32Impls[AVX512] = q32Kernels{
			q8: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
				q32Groups512(q8avx512[:], c, ldc, qa, m, w, bias, g0, g1)
			},
			q4: func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
				q32Groups512(q4avx512[:], c, ldc, qa, m, w, bias, g0, g1)
			},
		}
	} else if k, ok := q32Impls[AVX2]; ok {
		// An AVX-512 CPU without VNNI runs the AVX2 kernels (same bits).
		q32Impls[AVX512] = k
	}
}

// q32Check bounds-checks what the assembly touches for groups g0..g1 and
// m activation rows, so a caller's bug panics in Go.
func q32Check(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
	_ = c[(m-1)*ldc+g1*q32Group-1]
	_ = qa[m*q32ActRowBytes(w.K)-1]
	_ = w.Data[g1*q32Group*w.RowBytes-1]
	if bias != nil {
		_ = bias[g1*q32Group-1]
	}
}

func q32Groups512(fns []q32Fn512, c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
	q32Check(c, ldc, qa, m, w, bias, g0, g1)
	nb := w.K / q32Blk
	ab := nb * q32ActBytes
	gb := q32Group * w.RowBytes
	maxMR := len(fns) - 1
	for g := g0; g < g1; g++ {
		j := g * q32Group
		var bp *float32
		if bias != nil {
			bp = &bias[j]
		}
		for i := 0; i < m; i += maxMR {
			mr := min(maxMR, m-i)
			fns[mr](&c[i*ldc+j], ldc, &qa[i*ab], ab, &w.Data[g*gb], nb, bp)
		}
	}
}

// q32Groups256 runs one or two activation rows through both halves of a
// group at once (every weight byte loaded once: decode), more rows four at
// a time through one 8-row half after the other.
func q32Groups256(fns []q32Fn256, full []q32Fn512, c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, g0, g1 int) {
	q32Check(c, ldc, qa, m, w, bias, g0, g1)
	nb := w.K / q32Blk
	ab := nb * q32ActBytes
	gb := q32Group * w.RowBytes
	if m < len(full) {
		q32Groups512(full, c, ldc, qa, m, w, bias, g0, g1)
		return
	}
	maxMR := len(fns) - 1
	for g := g0; g < g1; g++ {
		for h := 0; h < 2; h++ {
			j := g*q32Group + 8*h
			var bp *float32
			if bias != nil {
				bp = &bias[j]
			}
			ws, wq := &w.Data[g*gb+16*h], &w.Data[g*gb+32+32*h]
			for i := 0; i < m; i += maxMR {
				mr := min(maxMR, m-i)
				fns[mr](&c[i*ldc+j], ldc, &qa[i*ab], ab, ws, wq, nb, bp)
			}
		}
	}
}

//go:noescape
func q8avx512x1(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx512x2(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx512x3(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx512x4(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx512x5(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx512x6(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx512x7(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx512x8(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x1(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x2(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x3(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x4(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x5(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x6(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x7(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx512x8(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx2x1(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q8avx2x2(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q8avx2x3(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q8avx2x4(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q4avx2x1(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q4avx2x2(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q4avx2x3(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q4avx2x4(c *float32, ldc int, a *byte, lda int, ws *byte, wq *byte, nb int, bias *float32)

//go:noescape
func q8avx2g1(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q8avx2g2(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx2g1(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)

//go:noescape
func q4avx2g2(c *float32, ldc int, a *byte, lda int, w *byte, nb int, bias *float32)
