package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/internal/embedding"
)

// Embeddings are L2-normalised vectors with every component × 10^6, rounded: integers
// in [-Scale, Scale] whose squared norm is about Scale² = 10^12. The math lives in
// x/internal/embedding (shared with x/data); these names stay for x/sessions' callers and
// the sidecar, which cannot import an internal package.
const (
	Scale   = embedding.Scale
	ScaleSq = embedding.ScaleSq
)

// CheckEmbedding verifies a committed embedding (embedding.Check: exactly dim components,
// each in [-10^6, 10^6], |Σx² − 10^12| ≤ tolerance × 10^12), as ErrInvalidEmbedding.
func CheckEmbedding(e []int32, dim uint32, tolerance sdkmath.LegacyDec) error {
	if err := embedding.Check(e, dim, tolerance); err != nil {
		return errorsmod.Wrap(ErrInvalidEmbedding, err.Error())
	}
	return nil
}

// SquaredDistance is Σ(a_i − b_i)² (embedding.SquaredDistance: ≤ 3.28·10^16 at 8192 dims).
func SquaredDistance(a, b []int32) int64 { return embedding.SquaredDistance(a, b) }

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

// Dot is Σ a_i·b_i (embedding.Dot), |Dot| ≤ 8192 · 10^12 < 2^63.
func Dot(a, b []int32) int64 { return embedding.Dot(a, b) }

// CosineAtLeast reports cos(a, m) ≥ θ exactly, in integers (embedding.CosineAtLeast). A
// zero vector never passes.
func CosineAtLeast(a, m []int32, theta sdkmath.LegacyDec) bool {
	return embedding.CosineAtLeast(a, m, theta)
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
