//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run asmgen.go

// Tiles for 1..6 rows; the Go side picks by row count.
//
//go:noescape
func tile512x1(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile512x2(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile512x3(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile512x4(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile512x5(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile512x6(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile256x1(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile256x2(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile256x3(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile256x4(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile256x5(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func tile256x6(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

//go:noescape
func expSub512(dst, src *float32, n int, m float32)

//go:noescape
func gelu512(x *float32, n int)

//go:noescape
func siluMul512(gp, up *float32, n int)

//go:noescape
func expSub256(dst, src *float32, n int, m float32)

//go:noescape
func gelu256(x *float32, n int)

//go:noescape
func siluMul256(gp, up *float32, n int)

//go:noescape
func tile512f16x1(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512f16x2(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512f16x3(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512f16x4(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512f16x5(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512f16x6(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512bf16x1(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512bf16x2(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512bf16x3(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512bf16x4(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512bf16x5(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile512bf16x6(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256f16x1(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256f16x2(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256f16x3(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256f16x4(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256f16x5(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256f16x6(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256bf16x1(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256bf16x2(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256bf16x3(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256bf16x4(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256bf16x5(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func tile256bf16x6(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

//go:noescape
func hasF16C() bool

type tileFn func(c *float32, ldc int, a *float32, lda int, b *float32, k int, bias *float32, mode int)

var (
	tiles512 = [MaxMR + 1]tileFn{nil, tile512x1, tile512x2, tile512x3, tile512x4, tile512x5, tile512x6}
	tiles256 = [MaxMR + 1]tileFn{nil, tile256x1, tile256x2, tile256x3, tile256x4, tile256x5, tile256x6}

	tiles512h = [BF16 + 1][MaxMR + 1]tileHFn{
		F16:  {nil, tile512f16x1, tile512f16x2, tile512f16x3, tile512f16x4, tile512f16x5, tile512f16x6},
		BF16: {nil, tile512bf16x1, tile512bf16x2, tile512bf16x3, tile512bf16x4, tile512bf16x5, tile512bf16x6},
	}
	tiles256h = [BF16 + 1][MaxMR + 1]tileHFn{
		F16:  {nil, tile256f16x1, tile256f16x2, tile256f16x3, tile256f16x4, tile256f16x5, tile256f16x6},
		BF16: {nil, tile256bf16x1, tile256bf16x2, tile256bf16x3, tile256bf16x4, tile256bf16x5, tile256bf16x6},
	}
)

type tileHFn func(c *float32, ldc int, a *float32, lda int, b *uint16, k int, bias *float32, mode int)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		// The reductions and norms are memory-bound passes; AVX2 keeps the
		// portable ones (same bits).
		avx2 := portableImpl
		avx2.tile, avx2.expSub, avx2.gelu, avx2.siluMul = tileAVX2, expSubAVX2, geluAVX2, siluMulAVX2
		avx2.tileH = tileHAVX2
		if !hasF16C() {
			// Every shipped AVX2+FMA CPU has F16C; should one not, its
			// f16 panels take the portable tile (same bits, slower).
			avx2.tileH = tileHAVX2NoF16C
		}
		impls[AVX2] = avx2
	}
	// VPMOVZXWD on ZMM (the bf16 widening) is AVX512BW.
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW {
		impls[AVX512] = impl{tile: tileAVX512, tileH: tileHAVX512, expSub: expSubAVX512, gelu: geluAVX512, siluMul: siluMulAVX512,
			maxLanes: maxLanesAVX512, sumLanes: sumLanesAVX512, sumSqLanes: sumSqLanesAVX512,
			scale: scaleAVX512, add: addAVX512, layerNorm: layerNormAVX512, rmsNorm: rmsNormAVX512}
	}
	selectBest()
}

// checkTile bounds-checks what the assembly will touch, so a bug in a
// caller panics in Go instead of corrupting memory.
func checkTile(c []float32, ldc int, a []float32, lda int, mr int, b []float32, k int, bias []float32, mode int, w int) {
	_ = c[(mr-1)*ldc+w-1]
	if k > 0 {
		_ = a[(mr-1)*lda+k-1]
		_ = b[(k-1)*NR+w-1]
	}
	if mode == initBias {
		_ = bias[w-1]
	}
}

func biasPtr(bias []float32, off int) *float32 {
	if len(bias) == 0 {
		return nil
	}
	return &bias[off]
}

func aPtr(a []float32, k int) *float32 {
	if k == 0 {
		var z float32
		return &z
	}
	return &a[0]
}

func tileAVX512(c []float32, ldc int, a []float32, lda int, mr int, b []float32, k int, bias []float32, mode int) {
	checkTile(c, ldc, a, lda, mr, b, k, bias, mode, NR)
	tiles512[mr](&c[0], ldc, aPtr(a, k), lda, &b[0], k, biasPtr(bias, 0), mode)
}

func tileAVX2(c []float32, ldc int, a []float32, lda int, mr int, b []float32, k int, bias []float32, mode int) {
	checkTile(c, ldc, a, lda, mr, b, k, bias, mode, NR)
	f := tiles256[mr]
	for g := 0; g < NR; g += 16 {
		var bp *float32
		if mode == initBias {
			bp = &bias[g]
		}
		f(&c[g], ldc, aPtr(a, k), lda, &b[g], k, bp, mode)
	}
}

func checkTileH(c []float32, ldc int, a []float32, lda int, mr int, b []uint16, k int, bias []float32, mode int, f Format) {
	if f != F16 && f != BF16 {
		panic("kernels: tileH on " + f.String() + " panels")
	}
	_ = c[(mr-1)*ldc+NR-1]
	if k > 0 {
		_ = a[(mr-1)*lda+k-1]
		_ = b[(k-1)*NR+NR-1]
	}
	if mode == initBias {
		_ = bias[NR-1]
	}
}

func tileHAVX512(c []float32, ldc int, a []float32, lda int, mr int, b []uint16, k int, bias []float32, mode int, f Format) {
	checkTileH(c, ldc, a, lda, mr, b, k, bias, mode, f)
	tiles512h[f][mr](&c[0], ldc, aPtr(a, k), lda, &b[0], k, biasPtr(bias, 0), mode)
}

func tileHAVX2(c []float32, ldc int, a []float32, lda int, mr int, b []uint16, k int, bias []float32, mode int, f Format) {
	checkTileH(c, ldc, a, lda, mr, b, k, bias, mode, f)
	fn := tiles256h[f][mr]
	for g := 0; g < NR; g += 16 {
		var bp *float32
		if mode == initBias {
			bp = &bias[g]
		}
		fn(&c[g], ldc, aPtr(a, k), lda, &b[g], k, bp, mode)
	}
}

func tileHAVX2NoF16C(c []float32, ldc int, a []float32, lda int, mr int, b []uint16, k int, bias []float32, mode int, f Format) {
	if f == F16 {
		tileHGo(c, ldc, a, lda, mr, b, k, bias, mode, f)
		return
	}
	tileHAVX2(c, ldc, a, lda, mr, b, k, bias, mode, f)
}

// The AVX-512 element-wise wrappers run a ragged tail through the vector
// loop too, padded to 16 lanes in a stack buffer: every lane computes the
// same operations as the scalar code, so this changes no bit, and short
// rows (attention softmax) avoid the slow exact-FMA scalar path.

func expSubAVX512(dst, src []float32, m float32) {
	n := len(src) &^ 15
	if n > 0 {
		_ = dst[n-1]
		expSub512(&dst[0], &src[0], n, m)
	}
	if r := len(src) - n; r > 0 {
		var buf [16]float32
		copy(buf[:], src[n:])
		expSub512(&buf[0], &buf[0], 16, m)
		copy(dst[n:n+r], buf[:r])
	}
}

func geluAVX512(x []float32) {
	n := len(x) &^ 15
	if n > 0 {
		gelu512(&x[0], n)
	}
	if r := len(x) - n; r > 0 {
		var buf [16]float32
		copy(buf[:], x[n:])
		gelu512(&buf[0], 16)
		copy(x[n:], buf[:r])
	}
}

func siluMulAVX512(g, u []float32) {
	n := len(g) &^ 15
	if n > 0 {
		_ = u[n-1]
		siluMul512(&g[0], &u[0], n)
	}
	if r := len(g) - n; r > 0 {
		var gb, ub [16]float32
		copy(gb[:], g[n:])
		copy(ub[:], u[n:n+r])
		siluMul512(&gb[0], &ub[0], 16)
		copy(g[n:], gb[:r])
	}
}

func expSubAVX2(dst, src []float32, m float32) {
	n := len(src) &^ 7
	if n > 0 {
		_ = dst[n-1]
		expSub256(&dst[0], &src[0], n, m)
	}
	expSubGo(dst[n:], src[n:], m)
}

func geluAVX2(x []float32) {
	n := len(x) &^ 7
	if n > 0 {
		gelu256(&x[0], n)
	}
	geluGo(x[n:])
}

func siluMulAVX2(g, u []float32) {
	n := len(g) &^ 7
	if n > 0 {
		_ = u[n-1]
		siluMul256(&g[0], &u[0], n)
	}
	siluMulGo(g[n:], u[n:])
}

//go:noescape
func maxLanes512(x *float32, n int, l *float32)

//go:noescape
func sumLanes512(x *float32, n int, l *float32)

//go:noescape
func sumSqLanes512(x *float32, n int, mean float32, l *float32)

//go:noescape
func scale512(x *float32, n int, s float32)

//go:noescape
func add512(dst, x *float32, n int)

//go:noescape
func layerNorm512(dst, x, w, bias *float32, n int, mean, inv float32)

//go:noescape
func rmsNorm512(dst, x, w *float32, n int, inv float32)

func maxLanesAVX512(x []float32, l [Lanes]float32) [Lanes]float32 {
	if len(x) >= Lanes {
		maxLanes512(&x[0], len(x)&^(Lanes-1), &l[0])
	}
	return l
}

func sumLanesAVX512(x []float32, l [Lanes]float32) [Lanes]float32 {
	if len(x) >= Lanes {
		sumLanes512(&x[0], len(x)&^(Lanes-1), &l[0])
	}
	return l
}

func sumSqLanesAVX512(x []float32, mean float32, l [Lanes]float32) [Lanes]float32 {
	if len(x) >= Lanes {
		sumSqLanes512(&x[0], len(x)&^(Lanes-1), mean, &l[0])
	}
	return l
}

func scaleAVX512(x []float32, s float32) {
	n := len(x) &^ 15
	if n > 0 {
		scale512(&x[0], n, s)
	}
	scaleGo(x[n:], s)
}

func addAVX512(dst, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ 15
	if n > 0 {
		add512(&dst[0], &x[0], n)
	}
	addGo(dst[n:], x[n:])
}

func layerNormAVX512(dst, x, w, b []float32, mean, inv float32) {
	dst, w, b = dst[:len(x)], w[:len(x)], b[:len(x)]
	n := len(x) &^ 15
	if n > 0 {
		layerNorm512(&dst[0], &x[0], &w[0], &b[0], n, mean, inv)
	}
	layerNormGo(dst[n:], x[n:], w[n:], b[n:], mean, inv)
}

func rmsNormAVX512(dst, x, w []float32, inv float32) {
	dst, w = dst[:len(x)], w[:len(x)]
	n := len(x) &^ 15
	if n > 0 {
		rmsNorm512(&dst[0], &x[0], &w[0], n, inv)
	}
	rmsNormGo(dst[n:], x[n:], w[n:], inv)
}

//go:noescape
func fmaPeak512(n int)

//go:noescape
func fmaPeak256(n int)

// fmaPeakChains is the number of independent FMA chains in fmaPeak.
const fmaPeakChains = 12

func fmaPeak(p Path, n int) {
	if p == AVX512 {
		fmaPeak512(n)
	} else {
		fmaPeak256(n)
	}
}
