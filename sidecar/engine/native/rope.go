package native

import (
	"math"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// The rotary tables need sin, cos and a power in float64. The standard
// library's versions are assembly on some architectures and, where they are
// Go, the compiler may fuse their multiply-adds on arm64 but not on amd64,
// so the engine computes them itself with every product explicitly rounded.

// ropeInvFreq is theta^(-2i/hd) = exp(-(2i/hd) * ln theta).
func ropeInvFreq(theta float64, i, hd int) float64 {
	return exp64(float64(-float64(2*i) / float64(hd) * kernels.Log(theta)))
}

// scaledInvFreq applies rope_scaling to one inverse frequency: "linear"
// divides it by the factor; "llama3" (Llama 3.1/3.2) keeps high
// frequencies, divides low ones by the factor and interpolates smoothly
// between, as transformers' _compute_llama3_parameters does.
func scaledInvFreq(rs RopeScaling, inv float64) float64 {
	switch rs.Type {
	case "linear":
		return inv / rs.Factor
	case "llama3":
		const twoPi = 6.283185307179586
		wavelen := float64(twoPi / inv)
		lowWavelen := float64(rs.OrigMaxPos / rs.LowFreq)
		highWavelen := float64(rs.OrigMaxPos / rs.HighFreq)
		switch {
		case wavelen < highWavelen:
			return inv
		case wavelen > lowWavelen:
			return inv / rs.Factor
		}
		smooth := float64(float64(float64(rs.OrigMaxPos/wavelen)-rs.LowFreq) / float64(rs.HighFreq-rs.LowFreq))
		return float64(float64(float64(1-smooth)*inv)/rs.Factor) + float64(smooth*inv)
	}
	return inv
}

// exp64 for x in [-700, 700]: x = k*ln2 + r, |r| <= ln2/2, Taylor to r^20.
func exp64(x float64) float64 {
	const ln2Hi, ln2Lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
	k := math.Floor(float64(x*1.4426950408889634) + 0.5)
	r := float64(x-float64(k*ln2Hi)) - float64(k*ln2Lo)
	s := 1.0
	for n := 20; n >= 1; n-- {
		s = float64(float64(s*r)/float64(n)) + 1
	}
	return math.Ldexp(s, int(k))
}

// sincos reduces a (>= 0) by pi/2 in three parts and evaluates Taylor series
// on |r| <= pi/4.
func sincos(a float64) (s, c float64) {
	const (
		p1 = 1.5707963267341256e+00 // pi/2 split into three parts whose
		p2 = 6.0771005065061922e-11 // products with k (< 2^20) are exact
		p3 = 2.0222662487959506e-21
	)
	k := math.Floor(float64(a*0.6366197723675814) + 0.5)
	r := float64(float64(a-float64(k*p1))-float64(k*p2)) - float64(k*p3)
	r2 := float64(r * r)
	// sin r = r(1 - r2/3! + ...), cos r = 1 - r2/2! + ...
	ss, cc := 1.0, 1.0
	for n := 12; n >= 1; n-- {
		ss = 1 - float64(float64(ss*r2)/float64((2*n)*(2*n+1)))
		cc = 1 - float64(float64(cc*r2)/float64((2*n-1)*(2*n)))
	}
	ss = float64(ss * r)
	switch int64(k) & 3 {
	case 0:
		return ss, cc
	case 1:
		return cc, -ss
	case 2:
		return -ss, -cc
	}
	return -cc, ss
}

func sinPure(a float64) float64 { s, _ := sincos(a); return s }
func cosPure(a float64) float64 { _, c := sincos(a); return c }

// applyRope rotates pairs (x[i], x[i+half]) of each head by the position's
// angles (the Hugging Face "rotate_half" convention).
func (m *Model) applyRope(x []float32, heads, hd, pos int) {
	half := hd / 2
	cs := m.ropeCos[pos*half : pos*half+half]
	sn := m.ropeSin[pos*half : pos*half+half]
	for h := 0; h < heads; h++ {
		v := x[h*hd : h*hd+hd]
		for i := 0; i < half; i++ {
			a, b := v[i], v[i+half]
			v[i] = float32(a*cs[i]) - float32(b*sn[i])
			v[i+half] = float32(b*cs[i]) + float32(a*sn[i])
		}
	}
}

// ropeInvFreqFor is the inverse frequency of pair i for c: theta^(-2i/hd)
// with rope_scaling applied, or divided by the GGUF file's per-frequency
// factor (llama.cpp's rope_freqs: theta_i = pos * base^(-2i/hd) / factor_i).
func (c *Config) ropeInvFreqFor(i int) float64 {
	inv := ropeInvFreq(c.RopeTheta, i, c.HeadDim())
	if c.RopeFreqs != nil {
		return float64(inv / float64((*c.RopeFreqs)[i]))
	}
	return scaledInvFreq(c.Rope, inv)
}
