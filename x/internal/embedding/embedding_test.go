package embedding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/internal/embedding"
)

func TestCheckDim(t *testing.T) {
	require.NoError(t, embedding.CheckDim(1))
	require.NoError(t, embedding.CheckDim(embedding.MaxDim))
	require.ErrorContains(t, embedding.CheckDim(0), "dim 0 not in 1..8192")
	require.Error(t, embedding.CheckDim(embedding.MaxDim+1))
	require.Error(t, embedding.CheckDim(-1))
}

func TestCheck(t *testing.T) {
	tol := sdkmath.LegacyMustNewDecFromStr("0.001") // ±10^9 on Σx² = 10^12
	require.NoError(t, embedding.Check([]int32{600_000, 800_000, 0, 0}, 4, tol))
	require.NoError(t, embedding.Check([]int32{-1_000_000}, 1, sdkmath.LegacyZeroDec()), "exactly normalised at zero tolerance")
	require.NoError(t, embedding.Check([]int32{999_500, 0}, 2, tol), "Σx² = 10^12 − 999,750,000: inside")

	cases := map[string]struct {
		e    []int32
		dim  uint32
		want string
	}{
		"dim differs":          {[]int32{1_000_000, 0}, 3, "dim 2, the model's is 3"},
		"over the hard limit":  {make([]int32, embedding.MaxDim+1), embedding.MaxDim + 1, "dim 8193 > 8192"},
		"component too large":  {[]int32{1_000_001, 0}, 2, "component 0 = 1000001 outside ±1000000"},
		"component too small":  {[]int32{0, -1_000_001}, 2, "component 1 = -1000001"},
		"not normalised":       {[]int32{999_499, 0}, 2, "squared norm 998998251001 is not 10^12 ± 1000000000"},
		"zero vector":          {[]int32{0, 0}, 2, "not normalised"},
		"empty with dim 0":     {nil, 0, "not normalised"},
		"norm above tolerance": {[]int32{1_000_000, 31_639}, 2, "not normalised"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			require.ErrorContains(t, embedding.Check(c.e, c.dim, tol), c.want)
		})
	}
}

// The bounds the int64 arithmetic relies on hold at the hard limit: opposite extreme
// vectors of MaxDim components.
func TestArithmeticAtTheLimit(t *testing.T) {
	pos, neg := make([]int32, embedding.MaxDim), make([]int32, embedding.MaxDim)
	for i := range pos {
		pos[i], neg[i] = embedding.Scale, -embedding.Scale
	}
	require.Equal(t, int64(embedding.MaxDim)*4*embedding.ScaleSq, embedding.SquaredDistance(pos, neg))
	require.Equal(t, -int64(embedding.MaxDim)*embedding.ScaleSq, embedding.Dot(pos, neg))
	require.False(t, embedding.CosineAtLeast(pos, neg, sdkmath.LegacyZeroDec()), "negative dot never passes")
	require.True(t, embedding.CosineAtLeast(pos, pos, sdkmath.LegacyOneDec()))
}

func TestCosineAtLeast(t *testing.T) {
	a := []int32{600_000, 800_000, 0, 0}
	b := []int32{0, 600_000, 800_000, 0}
	require.True(t, embedding.CosineAtLeast(a, b, sdkmath.LegacyMustNewDecFromStr("0.48")))
	require.False(t, embedding.CosineAtLeast(a, b, sdkmath.LegacyMustNewDecFromStr("0.480000000000000001")))
	require.False(t, embedding.CosineAtLeast(a, make([]int32, 4), sdkmath.LegacyZeroDec()), "zero vector")
	require.False(t, embedding.CosineAtLeast(make([]int32, 4), a, sdkmath.LegacyZeroDec()), "zero vector")
}

func TestWithinDistance(t *testing.T) {
	th := sdkmath.LegacyMustNewDecFromStr("0.5") // √d ≤ 500,000
	require.True(t, embedding.WithinDistance(0, th))
	require.True(t, embedding.WithinDistance(250_000_000_000, th))
	require.False(t, embedding.WithinDistance(250_000_000_001, th))
	require.False(t, embedding.WithinDistance(-1, th))
	require.False(t, embedding.WithinDistance(1, sdkmath.LegacyZeroDec()))
}
