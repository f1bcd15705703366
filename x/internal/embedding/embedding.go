// Package embedding is the fixed-point vector math every module that judges embeddings
// shares (x/sessions validates results with it, x/data scores submissions against
// targets): an embedding is an L2-normalised vector with each component × 10^6, rounded,
// so distances and similarities are integer arithmetic, identical on every validator.
//
// Errors are plain: each module wraps them in its own registered error, so a failed
// message carries that module's code.
package embedding

import (
	"fmt"
	"math/big"

	sdkmath "cosmossdk.io/math"
)

const (
	// Scale is the fixed-point factor: components are integers in [-Scale, Scale] and a
	// normalised vector's squared norm is about ScaleSq.
	Scale = 1_000_000
	// ScaleSq is Scale² = 10^12.
	ScaleSq = int64(Scale) * Scale
	// MaxDim is the hard limit on an embedding's dimension, whatever governance sets
	// (x/models' max_embedding_dim, x/data's embedding_dim are checked against it). The
	// int64 bounds below are proven up to it: Σx² ≤ 8192·10^12 and Σ(a−b)² ≤ 3.28·10^16,
	// both < 2^63 ≈ 9.22·10^18.
	MaxDim = 8192

	decPrecSq = 36 // LegacyDec has 18 decimals; θ² carries 36
)

// CheckDim reports whether n is a usable dimension: 1..MaxDim.
func CheckDim(n int) error {
	if n < 1 || n > MaxDim {
		return fmt.Errorf("dim %d not in 1..%d", n, MaxDim)
	}
	return nil
}

// Check verifies an embedding: exactly dim components, dim ≤ MaxDim, each component in
// [-Scale, Scale], and |Σx² − 10^12| ≤ tolerance × 10^12. With dim ≤ MaxDim the sum is at
// most 8192 × 10^12 < 2^63, so int64 cannot overflow.
func Check(e []int32, dim uint32, tolerance sdkmath.LegacyDec) error {
	if uint32(len(e)) != dim {
		return fmt.Errorf("dim %d, the model's is %d", len(e), dim)
	}
	if dim > MaxDim {
		return fmt.Errorf("dim %d > %d", dim, MaxDim)
	}
	var sq int64
	for i, v := range e {
		if v > Scale || v < -Scale {
			return fmt.Errorf("component %d = %d outside ±%d", i, v, Scale)
		}
		sq += int64(v) * int64(v)
	}
	tol := tolerance.MulInt64(ScaleSq).TruncateInt64()
	diff := sq - ScaleSq
	if diff < 0 {
		diff = -diff
	}
	if diff > tol {
		return fmt.Errorf("squared norm %d is not 10^12 ± %d: not normalised", sq, tol)
	}
	return nil
}

// SquaredDistance is Σ(a_i − b_i)² over the components of a (b must be at least as long).
// Bound: |a_i − b_i| ≤ 2·10^6 for checked vectors, so each term ≤ 4·10^12 and the sum over
// dim ≤ MaxDim is ≤ 3.28·10^16 < 2^63.
func SquaredDistance(a, b []int32) int64 {
	var s int64
	for i := range a {
		d := int64(a[i]) - int64(b[i])
		s += d * d
	}
	return s
}

// Dot is Σ a_i·b_i over the components of a, |Dot| ≤ MaxDim · 10^12 < 2^63.
func Dot(a, b []int32) int64 {
	var s int64
	for i := range a {
		s += int64(a[i]) * int64(b[i])
	}
	return s
}

// CosineAtLeast reports cos(a, m) ≥ θ exactly, in integers: a·m ≥ 0 and
// (a·m)² · 10^36 ≥ θ_raw² · ‖a‖² · ‖m‖², where θ_raw = θ × 10^18 is LegacyDec's integer
// representation. The products exceed int64 and use big.Int. A zero vector never passes.
func CosineAtLeast(a, m []int32, theta sdkmath.LegacyDec) bool {
	dot := Dot(a, m)
	na, nm := Dot(a, a), Dot(m, m)
	if dot < 0 || na == 0 || nm == 0 {
		return false
	}
	lhs := new(big.Int).SetInt64(dot)
	lhs.Mul(lhs, lhs)
	lhs.Mul(lhs, new(big.Int).Exp(big.NewInt(10), big.NewInt(decPrecSq), nil))
	th := theta.BigInt()
	rhs := new(big.Int).Mul(th, th)
	rhs.Mul(rhs, big.NewInt(na))
	rhs.Mul(rhs, big.NewInt(nm))
	return lhs.Cmp(rhs) >= 0
}

// WithinDistance reports √distSq ≤ threshold × 10^6 exactly: distSq·10^24 ≤ T_raw² with
// T_raw = threshold × 10^18 (LegacyDec's integer), in big.Int. A negative distSq is never
// within.
func WithinDistance(distSq int64, threshold sdkmath.LegacyDec) bool {
	if distSq < 0 {
		return false
	}
	lhs := new(big.Int).Mul(big.NewInt(distSq), new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil))
	t := threshold.BigInt()
	return lhs.Cmp(new(big.Int).Mul(t, t)) <= 0
}
