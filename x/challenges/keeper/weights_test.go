package keeper_test

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
)

// ratDec converts an exact rational to a LegacyDec rounded half up at 18 decimals (the
// rounding of LegacyDec.Quo).
func ratDec(r *big.Rat) sdkmath.LegacyDec {
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)))
	q, m := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(scaled.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return sdkmath.LegacyNewDecFromBigIntWithPrec(q, 18)
}

func sumWeights(ws []types.Weight) sdkmath.LegacyDec {
	s := sdkmath.LegacyZeroDec()
	for _, w := range ws {
		s = s.Add(w.Weight)
	}
	return s
}

// Hand-computed: a veteran with 10 answers averaging 0.8 and a newcomer with one perfect
// answer. S = 90000 bps, T = 11, N = 2, m = 9/11, C = 11/2, C·m = 4.5:
// veteran (8 + 4.5) / 15.5 = 25/31 ≈ 0.8065; newcomer (1 + 4.5) / 6.5 = 11/13 ≈ 0.8462.
func TestComputeWeightsVeteranVsNewcomer(t *testing.T) {
	totals := []keeper.Totals{{NodeID: "veteran", SumBps: 80_000, Count: 10}, {NodeID: "newcomer", SumBps: 10_000, Count: 1}}
	vet, neu := big.NewRat(25, 31), big.NewRat(11, 13)
	for _, k := range []uint32{1, 2} {
		ws := keeper.ComputeWeights(totals, sdkmath.LegacyOneDec(), k)
		require.Len(t, ws, 2)
		require.Equal(t, ratDec(vet), ws[0].Bayesian)
		require.Equal(t, ratDec(neu), ws[1].Bayesian)
		require.Equal(t, dec("0.8"), ws[0].Avg)
		require.Equal(t, dec("1"), ws[1].Avg)
		require.True(t, sumWeights(ws).Equal(sdkmath.LegacyOneDec()), "k=%d: weights sum to %s", k, sumWeights(ws))
		// expected weights from the exact bayes values: b^k / Σ b^k
		pow := func(r *big.Rat) *big.Rat {
			out := big.NewRat(1, 1)
			for i := uint32(0); i < k; i++ {
				out.Mul(out, r)
			}
			return out
		}
		total := new(big.Rat).Add(pow(vet), pow(neu))
		wantVet := new(big.Rat).Quo(pow(vet), total)
		diff := ws[0].Weight.Sub(ratDec(wantVet)).Abs()
		require.True(t, diff.LTE(sdkmath.LegacyNewDecWithPrec(1, 16)), "k=%d: veteran weight %s vs %s", k, ws[0].Weight, ratDec(wantVet))
		require.True(t, ws[1].Weight.GT(ws[0].Weight), "the newcomer's perfect answer outweighs")
	}
	// k = 1: 25/31 : 11/13 = 325 : 341, so the veteran has 325/666
	ws := keeper.ComputeWeights(totals, sdkmath.LegacyOneDec(), 1)
	require.True(t, ws[0].Weight.Sub(ratDec(big.NewRat(325, 666))).Abs().LTE(sdkmath.LegacyNewDecWithPrec(1, 16)))
}

func TestComputeWeights(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		require.Nil(t, keeper.ComputeWeights(nil, sdkmath.LegacyOneDec(), 2))
	})
	t.Run("all zero scores: equal weights summing to 1", func(t *testing.T) {
		ws := keeper.ComputeWeights([]keeper.Totals{{NodeID: "a", Count: 1}, {NodeID: "b", Count: 2}, {NodeID: "c", Count: 3}},
			sdkmath.LegacyOneDec(), 2)
		require.True(t, sumWeights(ws).Equal(sdkmath.LegacyOneDec()))
		// 1/3 truncated each; the remainder 10^-18 goes to the smallest id among the ties
		require.Equal(t, dec("0.333333333333333334"), ws[0].Weight)
		require.Equal(t, dec("0.333333333333333333"), ws[1].Weight)
	})
	t.Run("floor on C", func(t *testing.T) {
		// N = 2, T = 2 → T/N = 1 < floor 3: C = 3, m = 0.5
		// a: (1 + 1.5) / 4 = 0.625, b: (0 + 1.5) / 4 = 0.375
		ws := keeper.ComputeWeights([]keeper.Totals{{NodeID: "a", SumBps: 10_000, Count: 1}, {NodeID: "b", Count: 1}},
			sdkmath.LegacyNewDec(3), 1)
		require.Equal(t, dec("0.625"), ws[0].Bayesian)
		require.Equal(t, dec("0.375"), ws[1].Bayesian)
		require.Equal(t, dec("0.625"), ws[0].Weight)
		require.Equal(t, dec("0.375"), ws[1].Weight)
	})
	t.Run("many miners sum to exactly 1", func(t *testing.T) {
		var totals []keeper.Totals
		for i := 0; i < 997; i++ {
			totals = append(totals, keeper.Totals{NodeID: nodeID(i), SumBps: uint64(i*37%10_001) * 3, Count: 3})
		}
		for _, k := range []uint32{1, 2, 3} {
			require.True(t, sumWeights(keeper.ComputeWeights(totals, sdkmath.LegacyOneDec(), k)).Equal(sdkmath.LegacyOneDec()))
		}
	})
}

// CloseEpoch turns the epoch's scores into stored weights, resets posting limits and
// opens the next epoch.
func TestCloseEpochWeights(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, b, d := f.toEvaluating(t)
	for i := 0; i < 2; i++ {
		_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(i, c.Id, map[string]uint32{a: 10_000, b: 5_000}))
		require.NoError(t, err)
	}
	f.runTo(t, c.EvaluationEndHeight)
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, "other", 1)) // another epoch: ignored
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, testParams().EpochIdentifier, 1))
	e, err := f.k.Epoch.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), e)
	// The hook opens epoch 2 at once and queues the close of epoch 1; EndBlock runs it.
	has, err := f.k.Closes.Has(f.Ctx, 1)
	require.NoError(t, err)
	require.True(t, has)
	early, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: types.TASK_TYPE_BUGFIX})
	require.NoError(t, err)
	require.Empty(t, early.Weights)
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	has, err = f.k.Closes.Has(f.Ctx, 1)
	require.NoError(t, err)
	require.False(t, has, "a small close finishes in one EndBlock")
	res, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: types.TASK_TYPE_BUGFIX})
	require.NoError(t, err)
	require.Len(t, res.Weights, 3)
	w := map[string]types.Weight{}
	for _, x := range res.Weights {
		w[x.NodeId] = x
	}
	require.True(t, sumWeights(res.Weights).Equal(sdkmath.LegacyOneDec()))
	require.True(t, w[a].Weight.GT(w[b].Weight) && w[b].Weight.GT(w[d].Weight), "weights follow scores")
	none, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: types.TASK_TYPE_CODEGEN})
	require.NoError(t, err)
	require.Empty(t, none.Weights)
	// weight history: with weight_history_epochs = 2, epoch 1's weights go at the close of epoch 3
	p := testParams()
	p.WeightHistoryEpochs = 2
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	require.NoError(t, f.k.CloseEpoch(f.Ctx)) // closes epoch 2 (window still holds epoch 1's stats)
	kept, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: types.TASK_TYPE_BUGFIX})
	require.NoError(t, err)
	require.Len(t, kept.Weights, 3)
	require.NoError(t, f.k.CloseEpoch(f.Ctx)) // closes epoch 3
	gone, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: types.TASK_TYPE_BUGFIX})
	require.NoError(t, err)
	require.Empty(t, gone.Weights)
	// genesis round trip after a full lifecycle
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	g := newFixture(t, 0)
	require.NoError(t, g.k.InitGenesis(g.Ctx, gs))
	gs2, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, gs2)
}
