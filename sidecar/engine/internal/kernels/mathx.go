package kernels

import "math"

// Sqrt32 is the correctly rounded square root (IEEE requires it, so the
// hardware instruction and any software fallback agree bit for bit).
func Sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// Log is the natural logarithm in float64 for the loss, computed here
// because the standard library's Log is assembly on some architectures.
// x = 2^e * m with m in [sqrt(1/2), sqrt(2)); log(m) = 2*atanh(z) with
// z = (m-1)/(m+1), |z| < 0.172, summed as an odd series to 1e-17.
func Log(x float64) float64 {
	switch {
	case x < 0 || math.IsNaN(x):
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, e := math.Frexp(x) // m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	z := (m - 1) / (m + 1)
	z2 := float64(z * z)
	// Horner over 1/(2i+1) for i = 0..11.
	s := 1.0 / 23
	for i := 10; i >= 0; i-- {
		s = float64(s*z2) + 1/float64(2*i+1)
	}
	const ln2 = 0.693147180559945309417232121458176568
	return float64(float64(e)*ln2) + float64(2*float64(z*s))
}
