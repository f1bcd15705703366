package types_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/sessions/types"
)

var theta = sdkmath.LegacyMustNewDecFromStr("0.85")

// unit2 is a normalised 4-dim vector (c, s, 0, 0) × 10^6 for a given cos c (s = sqrt(1 − c²)),
// from precomputed integers.
var (
	e0   = []int32{1_000_000, 0, 0, 0}
	c99  = []int32{990_000, 141_067, 0, 0} // cos 0.99 to e0
	c95  = []int32{950_000, 312_250, 0, 0} // cos 0.95
	c90  = []int32{900_000, 435_890, 0, 0} // cos 0.90
	c80  = []int32{800_000, 600_000, 0, 0} // cos 0.80
	e1   = []int32{0, 1_000_000, 0, 0}
	e2   = []int32{0, 0, 1_000_000, 0}
	neg0 = []int32{-1_000_000, 0, 0, 0}
)

func TestJudgeHonestMajorityPlusOutlier(t *testing.T) {
	// For normalised vectors ‖a−b‖² = 2 − 2cos(a, b): the least sum of squared distances
	// is the least sum of cosine distances, i.e. the result nearest the centroid. The
	// outlier pulls the centroid a little towards itself, so c95 (not e0) is the medoid,
	// and every honest result still passes against it.
	v := types.Judge([][]int32{c99, e0, c95, e1}, theta)
	require.Equal(t, 2, v.Medoid)
	require.Equal(t, []bool{true, true, true, false}, v.Pass)
	require.Equal(t, 3, v.Passed)
}

func TestJudgeAllAgree(t *testing.T) {
	v := types.Judge([][]int32{e0, e0, e0}, theta)
	require.Equal(t, 0, v.Medoid, "identical vectors tie: the earliest wins")
	require.Equal(t, 3, v.Passed)
}

func TestJudgeQuorumMissed(t *testing.T) {
	v := types.Judge([][]int32{e0, e1, e2}, theta)
	require.Equal(t, 0, v.Medoid, "all sums equal: the earliest")
	require.Equal(t, 1, v.Passed, "only the medoid itself passes: quorum 2 is missed")
}

// TestJudgeTwoNodeTie documents the two-node case: the distance sums are always equal,
// so the medoid is the earlier-assigned node; the later one passes iff its cosine to the
// earlier one is at least θ. With quorum 2 both must agree; with quorum 1 the earlier
// node's result is always accepted (the medoid passes against itself).
func TestJudgeTwoNodeTie(t *testing.T) {
	v := types.Judge([][]int32{c80, e0}, theta)
	require.Equal(t, 0, v.Medoid)
	require.Equal(t, []bool{true, false}, v.Pass)
	v = types.Judge([][]int32{e0, c80}, theta)
	require.Equal(t, 0, v.Medoid)
	require.Equal(t, []bool{true, false}, v.Pass)
	v = types.Judge([][]int32{e0, c90}, theta)
	require.Equal(t, []bool{true, true}, v.Pass)
}

func TestCosineAtLeastIsExact(t *testing.T) {
	// c80 has norm exactly 10^6, so cos(c80, e0) is exactly 0.8
	require.True(t, types.CosineAtLeast(c80, e0, sdkmath.LegacyMustNewDecFromStr("0.8")), "cos exactly 0.8")
	require.False(t, types.CosineAtLeast(c80, e0, sdkmath.LegacyMustNewDecFromStr("0.800000000000000001")))
	require.True(t, types.CosineAtLeast(c90, e0, sdkmath.LegacyMustNewDecFromStr("0.8999999")))
	require.False(t, types.CosineAtLeast(c80, e0, theta))
	require.False(t, types.CosineAtLeast(neg0, e0, sdkmath.LegacyMustNewDecFromStr("0.01")), "negative cosine never passes")
	require.False(t, types.CosineAtLeast([]int32{0, 0, 0, 0}, e0, theta), "zero vector never passes")
	require.True(t, types.CosineAtLeast(e0, e0, sdkmath.LegacyOneDec()))
}

// TestMedoidWorstCaseNoOverflow: 16 vectors of dim 8192 at opposite corners give the
// largest possible sums; the int64 arithmetic must stay exact.
func TestMedoidWorstCaseNoOverflow(t *testing.T) {
	const d = types.MaxEmbeddingDim
	pos, neg := make([]int32, d), make([]int32, d)
	for i := range d {
		pos[i], neg[i] = types.Scale, -types.Scale
	}
	vs := make([][]int32, types.MaxRedundancyLimit)
	for i := range vs {
		if i%2 == 0 {
			vs[i] = pos
		} else {
			vs[i] = neg
		}
	}
	require.Equal(t, int64(d)*4*types.ScaleSq, types.SquaredDistance(pos, neg))
	require.Equal(t, 0, types.Medoid(vs))
}

func TestCheckEmbedding(t *testing.T) {
	tol := sdkmath.LegacyMustNewDecFromStr("0.01")
	require.NoError(t, types.CheckEmbedding(c99, 4, tol))
	require.ErrorIs(t, types.CheckEmbedding(c99, 5, tol), types.ErrInvalidEmbedding)
	require.ErrorIs(t, types.CheckEmbedding([]int32{994_000, 0, 0, 0}, 4, tol), types.ErrInvalidEmbedding, "norm² 0.988036")
	require.NoError(t, types.CheckEmbedding([]int32{996_000, 0, 0, 0}, 4, tol), "norm² 0.992016")
	require.ErrorIs(t, types.CheckEmbedding([]int32{-1_000_001, 0, 0, 0}, 4, tol), types.ErrInvalidEmbedding)
}

// TestPrecommitHashGolden pins the byte layout the sidecar implements (README.md).
func TestPrecommitHashGolden(t *testing.T) {
	salt := make([]byte, 32)
	for i := range salt {
		salt[i] = byte(i)
	}
	h := types.PrecommitHash(7, "node-1", "Hello", []int32{1_000_000, -2, 0, 3}, 5, 12, salt)
	require.Equal(t, "d5d7f514b7c958e499edd5ee15f330e533dac141ac9aca02ab7ff02aa4dd795f", hex.EncodeToString(h))
	require.NotEqual(t, h, types.PrecommitHash(7, "node-2", "Hello", []int32{1_000_000, -2, 0, 3}, 5, 12, salt), "node bound")
	require.NotEqual(t, h, types.PrecommitHash(8, "node-1", "Hello", []int32{1_000_000, -2, 0, 3}, 5, 12, salt), "task bound")
}
