package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/sessions/types"
)

// TestEmbeddingMathGolden pins the fixed-point vector math at exact boundaries: it is
// consensus, so the shared embedding package must reproduce every value.
func TestEmbeddingMathGolden(t *testing.T) {
	a := []int32{600_000, 800_000, 0, 0}
	b := []int32{0, 600_000, 800_000, 0}
	require.Equal(t, int64(1_040_000_000_000), types.SquaredDistance(a, b))
	require.Equal(t, int64(480_000_000_000), types.Dot(a, b))
	// cos(a, b) is exactly 0.48: equal passes, one unit of 10^-18 above fails.
	require.True(t, types.CosineAtLeast(a, b, sdkmath.LegacyMustNewDecFromStr("0.48")))
	require.False(t, types.CosineAtLeast(a, b, sdkmath.LegacyMustNewDecFromStr("0.480000000000000001")))
	require.False(t, types.CosineAtLeast(a, []int32{0, 0, 0, 0}, sdkmath.LegacyZeroDec()), "a zero vector never passes")
	require.Equal(t, int64(types.Scale), int64(1_000_000))
	require.Equal(t, int64(1_000_000_000_000), types.ScaleSq)
	require.Equal(t, 8192, types.MaxEmbeddingDim)

	// Norm tolerance: |Σx² − 10^12| ≤ tol × 10^12, both ends inclusive.
	tol := sdkmath.LegacyMustNewDecFromStr("0.001") // 10^9
	require.NoError(t, types.CheckEmbedding(a, 4, tol))
	require.NoError(t, types.CheckEmbedding([]int32{999_500, 0, 0, 0}, 4, tol), "Σx² = 10^12 − 999,750,000")
	require.ErrorIs(t, types.CheckEmbedding([]int32{999_499, 0, 0, 0}, 4, tol), types.ErrInvalidEmbedding, "Σx² = 10^12 − 1,001,748,999")
	require.ErrorIs(t, types.CheckEmbedding(a, 5, tol), types.ErrInvalidEmbedding, "dim differs")
	require.ErrorIs(t, types.CheckEmbedding([]int32{1_000_001, 0}, 2, tol), types.ErrInvalidEmbedding, "component out of range")
	require.ErrorIs(t, types.CheckEmbedding(make([]int32, 8193), 8193, tol), types.ErrInvalidEmbedding, "dim over the hard limit")
}
