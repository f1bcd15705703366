package miner

import (
	"errors"
	"math"
)

// EmbeddingScale is the chain's integer scale: each component of the
// L2-normalised vector times 10^6, rounded (x/sessions README).
const EmbeddingScale = 1_000_000

// Quantize normalises v (engines already do; doing it again guards against
// drift) and encodes it as the chain's integers.
func Quantize(v []float32) ([]int32, error) {
	var sum float64
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("embedding has a NaN or infinite component")
		}
		sum += f * f
	}
	if sum == 0 {
		return nil, errors.New("embedding is the zero vector")
	}
	norm := math.Sqrt(sum)
	out := make([]int32, len(v))
	for i, x := range v {
		q := math.Round(float64(x) / norm * EmbeddingScale)
		out[i] = int32(max(-EmbeddingScale, min(EmbeddingScale, q)))
	}
	return out, nil
}
