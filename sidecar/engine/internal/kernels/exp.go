package kernels

import "math"

var negInf = math.Inf(-1)

// Constants of the exp approximation, shared with the assembly (which loads
// them from expConsts so both use the same bits).
const (
	expLo    = -87.0 // below this exp is clamped (keeps 2^n normal)
	expHi    = 88.0  // above this exp is clamped (keeps 2^n finite)
	log2e    = 1.44269504088896341
	ln2Hi    = 0.693145751953125 // ln2 split so n*ln2Hi is exact
	ln2Lo    = 1.428606765330187045e-06
	expMagic = 12582912.0 // 1.5*2^23: adding it rounds to an integer
	expC6    = 1.0 / 720
	expC5    = 1.0 / 120
	expC4    = 1.0 / 24
	expC3    = 1.0 / 6
	expC2    = 0.5
)

// expConsts is read by the assembly; the order matches the offsets there.
var expConsts = [...]float32{expLo, expHi, log2e, expMagic, -ln2Hi, -ln2Lo, expC6, expC5, expC4, expC3, expC2, 1, 127}

// Exp1 is the engine's exp for one value: range reduction to r in
// [-ln2/2, ln2/2], a degree-6 polynomial by Horner with FMA, and scaling by
// 2^n through the exponent bits. Relative error is below 2e-7 on the
// clamped range [-87, 88].
func Exp1(x float32) float32 {
	if x < expLo {
		x = expLo
	}
	if x > expHi {
		x = expHi
	}
	t := FMA32(x, log2e, expMagic)
	n := t - expMagic
	r := FMA32(n, -ln2Hi, x)
	r = FMA32(n, -ln2Lo, r)
	p := FMA32(expC6, r, expC5)
	p = FMA32(p, r, expC4)
	p = FMA32(p, r, expC3)
	p = FMA32(p, r, expC2)
	p = FMA32(p, r, 1)
	p = FMA32(p, r, 1)
	scale := math.Float32frombits(uint32(int32(n)+127) << 23)
	return float32(p * scale)
}

// geluK is -2*sqrt(2/pi): GELU(x) = x * sigmoid(2u) = x / (1 + exp(-2u)).
const (
	geluK = -1.5957691216057308
	geluA = 0.044715
)

func gelu1(x float32) float32 {
	a := float32(x * x)
	b := FMA32(a, geluA, 1)
	u := float32(x * b)
	w := float32(u * geluK)
	return x / (1 + Exp1(w))
}

func silu1(x float32) float32 {
	return x / (1 + Exp1(-x))
}

// geluConsts is read by the assembly: geluA, geluK, -1.
var geluConsts = [...]float32{geluA, geluK, -1}
