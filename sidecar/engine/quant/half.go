package quant

import "math"

// F16ToF32 widens an IEEE 754 half-precision value exactly (every half is
// a float32): signed zeros, subnormals and infinities included. A NaN keeps
// its sign and payload (shifted into the top of the float32 mantissa) and
// comes out quiet, as F16C's VCVTPH2PS and ggml's conversion give it.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f && man != 0: // NaN
		return math.Float32frombits(sign | 0x7fc00000 | man<<13)
	case exp == 0x1f: // inf
		return math.Float32frombits(sign | 0x7f800000)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
	case man == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal: man * 2^-24, renormalized into a float32 normal.
	e := uint32(127 - 15 + 1)
	for man&0x400 == 0 {
		man <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
}

// F32ToF16 narrows f to IEEE half precision, rounding to nearest with ties
// to even (as F16C's VCVTPS2PH with rounding mode 0 and ggml's
// GGML_FP32_TO_FP16 do): results below half the smallest subnormal become
// signed zero, magnitudes from 65520 up become infinity, a NaN stays a NaN
// (quieted, the top 10 payload bits kept).
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man != 0 {
			return sign | 0x7e00 | uint16(man>>13)
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15 // biased half exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Half subnormal (or zero): the value is M * 2^(exp-150) with the
		// implicit bit in M; the half's mantissa is M >> (14-e), rounded.
		if e < -10 {
			return sign // below 2^-25: rounds to zero (2^-25 itself ties to even 0)
		}
		m := man | 0x800000
		shift := uint(14 - e)
		h := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++ // may carry into the smallest normal, which encodes correctly
		}
		return sign | uint16(h)
	}
	h := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // a carry out of the mantissa bumps the exponent, up to infinity
	}
	return sign | uint16(h)
}

// BF16ToF32 widens a bfloat16 exactly (it is the top half of a float32).
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 narrows f to bfloat16 rounding to nearest with ties to even, as
// torch's and ggml's conversions do (finite values past the largest
// bfloat16 round to infinity). A NaN stays a NaN: its sign and top payload
// bits are kept and the quiet bit is set (ggml's rule; torch returns the
// canonical 0x7fc0), so a NaN never rounds into an infinity.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}
