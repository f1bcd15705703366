package kernels

// SoftmaxInPlace turns x into softmax(x): exp(x - max) / sum, with the sum
// over 16 lanes and the division replaced by one reciprocal and a multiply.
func SoftmaxInPlace(x []float32) {
	if len(x) == 0 {
		return
	}
	m := Max(x)
	cur().expSub(x, x, m)
	Scale(x, 1/Sum(x))
}

// Scale sets x[i] = x[i]*s.
func Scale(x []float32, s float32) { cur().scale(x, s) }

// LogSumExp returns max + log(sum exp(x - max)) in float64 (the loss is
// accumulated in float64); scratch must be at least len(x).
func LogSumExp(x, scratch []float32) float64 {
	m := Max(x)
	s := scratch[:len(x)]
	cur().expSub(s, x, m)
	return float64(m) + Log(float64(Sum(s)))
}

// GELU applies GPT-2's tanh-form GELU in place.
func GELU(x []float32) { cur().gelu(x) }

// SiLUMul sets g[i] = silu(g[i]) * u[i] (Llama's SwiGLU gate).
func SiLUMul(g, u []float32) { cur().siluMul(g, u[:len(g)]) }

// ExpSub sets dst[i] = exp(src[i] - m).
func ExpSub(dst, src []float32, m float32) { cur().expSub(dst[:len(src)], src, m) }

// LayerNorm writes (x-mean)/sqrt(var+eps)*w + b into dst.
func LayerNorm(dst, x, w, b []float32, eps float32) {
	n := float32(len(x))
	mean := Sum(x) / n
	v := SumSquares(x, mean) / n
	cur().layerNorm(dst[:len(x)], x, w, b, mean, 1/Sqrt32(v+eps))
}

// RMSNorm writes x/sqrt(mean(x^2)+eps)*w into dst.
func RMSNorm(dst, x, w []float32, eps float32) {
	ss := SumSquares(x, 0) / float32(len(x))
	cur().rmsNorm(dst[:len(x)], x, w, 1/Sqrt32(ss+eps))
}

// Add sets dst[i] += x[i].
func Add(dst, x []float32) { cur().add(dst, x[:len(dst)]) }
