package types

import (
	"math/big"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// Embeddings are L2-normalised vectors with every component × 10^6, rounded: integers
// in [-Scale, Scale] whose squared norm is about Scale² = 10^12.
const (
	Scale     = 1_000_000
	ScaleSq   = int64(Scale) * Scale
	decPrecSq = 36 // LegacyDec has 18 decimals; θ² carries 36
)

// CheckEmbedding verifies a committed embedding: exactly dim components, each in
// [-10^6, 10^6], and |Σx² − 10^12| ≤ tolerance × 10^12. With dim ≤ 8192 the sum is at most
// 8192 × 10^12 < 2^63, so int64 cannot overflow.
func CheckEmbedding(e []int32, dim uint32, tolerance sdkmath.LegacyDec) error {
	if uint32(len(e)) != dim {
		return errorsmod.Wrapf(ErrInvalidEmbedding, "dim %d, the model's is %d", len(e), dim)
	}
	if dim > MaxEmbeddingDim {
		return errorsmod.Wrapf(ErrInvalidEmbedding, "dim %d > %d", dim, MaxEmbeddingDim)
	}
	var sq int64
	for i, v := range e {
		if v > Scale || v < -Scale {
			return errorsmod.Wrapf(ErrInvalidEmbedding, "component %d = %d outside ±%d", i, v, Scale)
		}
		sq += int64(v) * int64(v)
	}
	tol := tolerance.MulInt64(ScaleSq).TruncateInt64()
	diff := sq - ScaleSq
	if diff < 0 {
		diff = -diff
	}
	if diff > tol {
		return errorsmod.Wrapf(ErrInvalidEmbedding, "squared norm %d is not 10^12 ± %d: not normalised", sq, tol)
	}
	return nil
}

// SquaredDistance is Σ(a_i − b_i)². Bound: |a_i − b_i| ≤ 2·10^6, so each term ≤ 4·10^12
// and the sum over dim ≤ 8192 is ≤ 3.28·10^16 < 2^63 ≈ 9.22·10^18.
func SquaredDistance(a, b []int32) int64 {
	var s int64
	for i := range a {
		d := int64(a[i]) - int64(b[i])
		s += d * d
	}
	return s
}

// Medoid returns the index of the vector with the least sum of squared Euclidean
// distances to the others (for normalised vectors this orders like the sum of cosine
// distances). Ties go to the lowest index: the earliest in assignment order.
//
// int64 bound: each distance ≤ 3.28·10^16 (see SquaredDistance) and a sum has at most
// MaxRedundancyLimit − 1 = 15 terms: ≤ 4.92·10^17 < 2^63. All vectors must have the
// same length (CheckEmbedding enforces the model's dim). Returns -1 for no vectors.
func Medoid(vs [][]int32) int {
	best, bestSum := -1, int64(0)
	for i := range vs {
		var sum int64
		for j := range vs {
			if i != j {
				sum += SquaredDistance(vs[i], vs[j])
			}
		}
		if best < 0 || sum < bestSum {
			best, bestSum = i, sum
		}
	}
	return best
}

// Dot is Σ a_i·b_i, |Dot| ≤ 8192 · 10^12 < 2^63.
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

// Verdict is the result of validating a task's committed embeddings.
type Verdict struct {
	// Medoid is the index of the consensus result (-1 when there is none).
	Medoid int
	// Pass[i] reports cos(embedding i, medoid) ≥ θ.
	Pass   []bool
	Passed int
}

// Judge computes the medoid of the embeddings (in assignment order) and which pass θ.
func Judge(vs [][]int32, theta sdkmath.LegacyDec) Verdict {
	v := Verdict{Medoid: Medoid(vs), Pass: make([]bool, len(vs))}
	if v.Medoid < 0 {
		return v
	}
	for i := range vs {
		if CosineAtLeast(vs[i], vs[v.Medoid], theta) {
			v.Pass[i] = true
			v.Passed++
		}
	}
	return v
}
