package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/embedding"
)

func TestStartEpochOpensTargets(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	f.startEpoch(t, 1)
	es, err := f.k.Epoch.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), es.Epoch)
	require.Equal(t, uint32(2), es.Opened)
	require.Equal(t, []string{"m-a", "m-b", "m-c"}, es.EligibleModels) // m-wide has the wrong dim
	for id := uint64(1); id <= 2; id++ {
		tg := f.target(t, id)
		require.Equal(t, types.TARGET_STATUS_OPEN, tg.Status)
		require.Len(t, tg.Models, 2)
		require.NotEqual(t, tg.Models[0], tg.Models[1])
		require.Len(t, tg.Centre, dim)
		require.NoError(t, embedding.Check(tg.Centre, dim, sdkmath.LegacyMustNewDecFromStr("0.0001")))
		require.True(t, tg.Threshold.Equal(types.DefaultParams().InitialThreshold))
	}
	require.NotEqual(t, f.target(t, 1).Centre, f.target(t, 2).Centre)
	// Another epoch identifier does nothing.
	require.NoError(t, f.k.Hooks().BeforeEpochStart(f.Ctx, "minute", 7))
	es2, _ := f.k.Epoch.Get(f.Ctx)
	require.Equal(t, es, es2)
}

func TestTargetsAreSeededByTheBlockHash(t *testing.T) {
	a, b := newFixture(t, nil), newFixture(t, nil)
	a.startEpoch(t, 1)
	b.startEpoch(t, 1)
	require.Equal(t, a.target(t, 1), b.target(t, 1))
	h, err := a.k.LastBlockHash.Get(a.Ctx)
	require.NoError(t, err)
	require.Equal(t, types.Centre(types.Seed(h, 1), dim), a.target(t, 1).Centre)
}

func TestNoEligibleModelOpensNothing(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.EmbeddingDim = 32 })
	f.startEpoch(t, 1)
	es, err := f.k.Epoch.Get(f.Ctx)
	require.NoError(t, err)
	require.Zero(t, es.Opened)
	_, err = f.k.GetTarget(f.Ctx, 1)
	require.ErrorIs(t, err, types.ErrTargetNotFound)
}

func TestEpochEndExpiresOpenTargetsAndStepsThreshold(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	f.startEpoch(t, 1)
	f.endEpoch(t, 1)
	for id := uint64(1); id <= 2; id++ {
		require.Equal(t, types.TARGET_STATUS_EXPIRED, f.target(t, id).Status)
	}
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.ErrorIs(t, err, types.ErrTargetNotOpen)
	// No fill at a target rate of 0.5 and step 0.1: factor 1 + 0.1 × 0.5 = 1.05.
	es, _ := f.k.Epoch.Get(f.Ctx)
	require.Equal(t, sdkmath.LegacyMustNewDecFromStr("1.26"), es.Threshold)
	f.startEpoch(t, 2)
	require.Equal(t, sdkmath.LegacyMustNewDecFromStr("1.26"), f.target(t, 3).Threshold)
	require.Equal(t, int64(2), f.target(t, 3).Epoch)
}
