package keeper_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
)

// closeStats writes the scores of epoch e: 60 bugfix miners with overlapping ids across
// epochs, equal scores (ties) and zeros among them, and 15 codegen miners.
func closeStats(t testing.TB, f *fixture, ctx sdk.Context, e uint64) {
	for j := 0; j < 60; j++ {
		node := nodeID(int(e)*20 + j)
		st := types.MinerStats{Epoch: e, TaskType: types.TASK_TYPE_BUGFIX, NodeId: node,
			SumBps: uint64((j % 7) * 1500), Count: uint64(1 + j%3)}
		require.NoError(t, f.k.MinerStats.Set(ctx, collectionsJoin3(e, types.TASK_TYPE_BUGFIX, node), st))
		if j%4 == 0 {
			st.TaskType, st.SumBps, st.Count = types.TASK_TYPE_CODEGEN, uint64(j*131%10_001), 1
			require.NoError(t, f.k.MinerStats.Set(ctx, collectionsJoin3(e, types.TASK_TYPE_CODEGEN, node), st))
		}
	}
}

// dump is every key and value of the module store.
func dump(f *fixture, ctx sdk.Context) []string {
	var out []string
	it := ctx.KVStore(f.Keys[types.StoreKey]).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out = append(out, fmt.Sprintf("%x=%x", it.Key(), it.Value()))
	}
	return out
}

// TestPagedCloseMatchesUnpaged: five epoch closes (window 3, history 2, both task types,
// the emission paid each time) run unpaged (CloseEpoch) and paged by EndBlock with small
// budgets, with the next epoch's scores arriving while a close is in progress and two
// closes queued at once. The module stores and the pool end byte-for-byte equal, the
// invariants hold after every block, and small budgets really spread the work.
func TestPagedCloseMatchesUnpaged(t *testing.T) {
	f := newFixture(t, 0)
	p := testParams()
	p.ScoreWindowEpochs = 3
	p.WeightHistoryEpochs = 2
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	f.fundPool(t, 1_000_000_000)
	pool := func(ctx sdk.Context) sdk.Coins { return f.Bank.GetAllBalances(ctx, poolAddr) }

	ref, _ := f.Ctx.CacheContext()
	for e := uint64(1); e <= 5; e++ {
		closeStats(t, f, ref, e)
		// what the pure formula gives for the window's totals, computed here
		want := map[types.TaskType][]types.Weight{}
		for _, tt := range []types.TaskType{types.TASK_TYPE_CODEGEN, types.TASK_TYPE_BUGFIX} {
			acc := map[string]*keeper.Totals{}
			var ids []string
			for ep := max(int64(e)-2, 1); ep <= int64(e); ep++ {
				require.NoError(t, f.k.MinerStats.Walk(ref, nil, func(k keeper.StatsKey, st types.MinerStats) (bool, error) {
					if k.K1() == uint64(ep) && k.K2() == int32(tt) {
						if acc[st.NodeId] == nil {
							acc[st.NodeId] = &keeper.Totals{NodeID: st.NodeId}
							ids = append(ids, st.NodeId)
						}
						acc[st.NodeId].SumBps += st.SumBps
						acc[st.NodeId].Count += st.Count
					}
					return false, nil
				}))
			}
			slices.Sort(ids)
			var totals []keeper.Totals
			for _, id := range ids {
				totals = append(totals, *acc[id])
			}
			want[tt] = keeper.ComputeWeights(totals, p.MinPriorWeight, p.WeightExponent)
		}
		require.NoError(t, f.k.CloseEpoch(ref))
		for tt, ws := range want {
			res, err := f.q.Weights(ref, &types.QueryWeightsRequest{Epoch: e, TaskType: tt, Pagination: &query.PageRequest{Limit: 1000}})
			require.NoError(t, err)
			require.Len(t, res.Weights, len(ws))
			for i := range ws {
				ws[i].Epoch, ws[i].TaskType = e, tt
				require.Equal(t, ws[i], res.Weights[i], "epoch %d %s %s", e, tt, ws[i].NodeId)
			}
		}
	}
	want := dump(f, ref)

	for _, budget := range []uint32{1, 7, 50, 100_000} {
		t.Run(fmt.Sprintf("budget %d", budget), func(t *testing.T) {
			ctx, _ := f.Ctx.CacheContext()
			pb := p
			pb.MaxEpochClosePerBlock = budget
			require.NoError(t, f.k.Params.Set(ctx, pb))
			blocks := 0
			endBlock := func() {
				require.NoError(t, f.k.EndBlocker(ctx))
				msg, broken := keeper.AllInvariants(f.k)(ctx)
				require.False(t, broken, msg)
				blocks++
			}
			drain := func() {
				for i := 0; ; i++ {
					it, err := f.k.Closes.Iterate(ctx, nil)
					require.NoError(t, err)
					busy := it.Valid()
					it.Close()
					if !busy {
						return
					}
					require.Less(t, i, 100_000, "the close never ends")
					endBlock()
				}
			}
			closeStats(t, f, ctx, 1)
			for e := uint64(1); e <= 5; e++ {
				require.NoError(t, f.k.Hooks().AfterEpochEnd(ctx, p.EpochIdentifier, int64(e)))
				if e < 5 {
					// the next epoch's scores arrive while this close runs
					closeStats(t, f, ctx, e+1)
				}
				if e == 2 {
					endBlock() // a page of epoch 2's close, then epoch 3 ends too: two queued
					continue
				}
				drain()
			}
			require.NoError(t, f.k.Params.Set(ctx, p)) // the params differ only by the budget
			require.Equal(t, want, dump(f, ctx))
			require.Equal(t, pool(ref), pool(ctx))
			if budget == 1 {
				require.Greater(t, blocks, 1000, "one entry per block")
			}
			if budget == 100_000 {
				require.Equal(t, 5, blocks, "a large budget closes in one block")
			}
		})
	}
}

// TestGenesisMidClose: a close in progress survives export and import (its cursor and
// close totals travel in genesis) and ends with the same weights; bad closes are refused.
func TestGenesisMidClose(t *testing.T) {
	f := newFixture(t, 0)
	p := testParams()
	p.MaxEpochClosePerBlock = 7
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	closeStats(t, f, f.Ctx, 1)
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, p.EpochIdentifier, 1))
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Len(t, gs.EpochCloses, 1)
	require.NotEmpty(t, gs.CloseTotals, "exported while accumulating")
	require.NoError(t, gs.Validate())

	g := newFixture(t, 0)
	require.NoError(t, g.k.InitGenesis(g.Ctx, gs))
	for _, x := range []*fixture{f, g} {
		for i := 0; i < 1000; i++ {
			require.NoError(t, x.k.EndBlocker(x.Ctx))
		}
	}
	a, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	b, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Empty(t, a.EpochCloses)
	require.Empty(t, b.EpochCloses)
	require.NotEmpty(t, a.Weights)
	require.Equal(t, a.Weights, b.Weights)

	for name, mutate := range map[string]func(*types.GenesisState){
		"close of the open epoch": func(g *types.GenesisState) { g.EpochCloses[0].Epoch = g.Epoch },
		"duplicate close":         func(g *types.GenesisState) { g.EpochCloses = append(g.EpochCloses, g.EpochCloses[0]) },
		"nil decimal":             func(g *types.GenesisState) { g.EpochCloses[0].Sum = sdkmath.LegacyDec{} },
		"no phase":                func(g *types.GenesisState) { g.EpochCloses[0].Phase = 0 },
		"totals of another epoch": func(g *types.GenesisState) { g.CloseTotals[0].Epoch = 7 },
		"duplicate totals":        func(g *types.GenesisState) { g.CloseTotals = append(g.CloseTotals, g.CloseTotals[0]) },
	} {
		bad, err := f.k.ExportGenesis(f.Ctx)
		require.NoError(t, err)
		bad.EpochCloses, bad.CloseTotals = gs.EpochCloses, gs.CloseTotals
		bad.Epoch = gs.Epoch
		require.NoError(t, bad.Validate(), name)
		cl := *bad
		cl.EpochCloses = append([]types.EpochClose(nil), gs.EpochCloses...)
		cl.CloseTotals = append([]types.MinerStats(nil), gs.CloseTotals...)
		mutate(&cl)
		require.ErrorIs(t, cl.Validate(), types.ErrInvalidGenesis, name)
	}
}
