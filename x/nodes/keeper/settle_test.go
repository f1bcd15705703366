package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// heartbeatAll sends one heartbeat per slot from height from to to for the given nodes.
func heartbeatAll(t *testing.T, f *fixture, from, to int64, ids ...string) {
	t.Helper()
	for h := from; h < to; h += 10 {
		f.atHeight(h)
		for _, id := range ids {
			require.NoError(t, f.heartbeat(t, op1, id))
		}
	}
}

func TestShortPoolPaysProRata(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"a", "b", "c"} {
		f.register(t, op1, id) // 3 nodes, but only a and b qualify: no multi-node bonus
	}
	heartbeatAll(t, f, 1, 61, "a", "b") // c never heartbeats
	f.fundPool(t, 30*cor)               // a and b are owed 25 COR each (20 + 5)
	f.atHeight(61)
	f.endPeriod(t)

	require.True(t, f.hasEvent("cortd.nodes.v1.EventRewardsPoolShort"))
	for _, id := range []string{"a", "b"} {
		n, _ := f.k.GetNode(f.Ctx, id)
		require.Equal(t, int64(15*cor), n.AccruedRewards.Int64(), "30 / 50 of 25 COR")
		res, err := f.q.NodePeriods(f.Ctx, &types.QueryNodePeriodsRequest{NodeId: id})
		require.NoError(t, err)
		require.Len(t, res.Records, 1)
		require.Equal(t, int64(25*cor), res.Records[0].RewardEntitled.Int64())
		require.Equal(t, uint32(2), res.Records[0].OperatorQualifiedNodes)
		require.Equal(t, int64(15*cor), res.Records[0].RewardPaid.Int64())
	}
	c, _ := f.k.GetNode(f.Ctx, "c")
	require.True(t, c.AccruedRewards.IsZero(), "silent with no tasks: total 0, no prize")
	require.Equal(t, int64(0), f.moduleBalance(types.RewardsPoolName), "pool drained, never negative")
	f.checkInvariants(t)
}

func TestEmptyPoolPaysNothingAndSettles(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "a")
	heartbeatAll(t, f, 1, 61, "a")
	f.atHeight(61)
	f.endPeriod(t)
	n, _ := f.k.GetNode(f.Ctx, "a")
	require.True(t, n.AccruedRewards.IsZero())
	require.Equal(t, uint64(1), n.LastSettledPeriod)
	f.checkInvariants(t)
}

func TestSettlementIsPagedAcrossBlocks(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxSettlementsPerBlock = 4 })
	const n = 10
	ids := make([]string, n)
	for i := range ids {
		ids[i] = nodeID(i)
		f.register(t, op1, ids[i])
	}
	heartbeatAll(t, f, 1, 61, ids...)
	f.fundPool(t, 10_000*cor)
	f.atHeight(61)
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, "minute", 1))

	// score: 4 + 4 + 2 (then ENTITLE starts with 2 budget left) ...
	blocks := 0
	for ; ; blocks++ {
		has := false
		require.NoError(t, f.k.Settlements.Walk(f.Ctx, nil, func(uint64, types.Settlement) (bool, error) { has = true; return true, nil }))
		if !has {
			break
		}
		settled := 0
		for _, id := range ids {
			node, _ := f.k.GetNode(f.Ctx, id)
			if node.LastSettledPeriod == 1 {
				settled++
			}
		}
		require.LessOrEqual(t, settled, 4*blocks, "at most 4 nodes per block")
		require.NoError(t, f.k.EndBlocker(f.Ctx))
		f.atHeight(f.Ctx.BlockHeight() + 1)
		// a heartbeat in the new period during settlement counts for period 2
		if blocks == 1 {
			require.NoError(t, f.heartbeat(t, op1, ids[9]))
		}
	}
	require.Equal(t, 8, blocks, "30 node visits (score, entitle, pay) at 4 per block, with the pass ends")
	for _, id := range ids {
		node, _ := f.k.GetNode(f.Ctx, id)
		require.Equal(t, int64(29*cor), node.AccruedRewards.Int64(), "20 × 1.2 (5+ nodes) + 5 prize")
	}
	res, err := f.q.CurrentPeriod(f.Ctx, &types.QueryCurrentPeriodRequest{NodeId: ids[9]})
	require.NoError(t, err)
	require.Equal(t, uint64(2), res.Period.Number)
	require.Equal(t, uint64(1), res.NodeStats.Heartbeats)
	f.checkInvariants(t)
}

func TestTwoClosedPeriodsSettleInOrder(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxSettlementsPerBlock = 1 })
	f.register(t, op1, "a")
	f.register(t, op1, "b")
	heartbeatAll(t, f, 1, 61, "a", "b")
	f.fundPool(t, 1_000*cor)
	f.atHeight(61)
	require.NoError(t, f.k.ClosePeriod(f.Ctx))
	f.atHeight(62)
	require.NoError(t, f.k.ClosePeriod(f.Ctx)) // period 2 was one block long
	for range 16 {
		require.NoError(t, f.k.EndBlocker(f.Ctx))
		f.atHeight(f.Ctx.BlockHeight() + 1)
	}
	res, err := f.q.CurrentPeriod(f.Ctx, &types.QueryCurrentPeriodRequest{})
	require.NoError(t, err)
	require.Empty(t, res.Settlements)
	require.Equal(t, uint64(3), res.Period.Number)
	a, _ := f.k.GetNode(f.Ctx, "a")
	require.Equal(t, uint64(2), a.LastSettledPeriod)
	require.Equal(t, int64(25*cor), a.AccruedRewards.Int64(), "period 1: 25; period 2 was too short to expect a heartbeat: nothing")
	require.Equal(t, decStr("0.2"), a.Reputation, "only period 1 moved the reputation (alpha 0.2 × 1)")
}

func TestUnbondingNodeIsNotSettledAndLateNodeIsPaidProRata(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "leaver")
	heartbeatAll(t, f, 1, 31, "leaver")
	_, err := f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op1.String(), NodeId: "leaver"})
	require.NoError(t, err)
	f.atHeight(31)
	f.register(t, op1, "late") // registered at 31: expects 3 heartbeats in [31, 61)
	heartbeatAll(t, f, 31, 61, "late")
	f.fundPool(t, 1_000*cor)
	f.atHeight(61)
	f.endPeriod(t)

	leaver, _ := f.k.GetNode(f.Ctx, "leaver")
	require.Equal(t, uint64(0), leaver.LastSettledPeriod)
	require.True(t, leaver.AccruedRewards.IsZero())
	recs, err := f.q.NodePeriods(f.Ctx, &types.QueryNodePeriodsRequest{NodeId: "late"})
	require.NoError(t, err)
	require.Equal(t, uint64(3), recs.Records[0].ExpectedHeartbeats)
	require.Equal(t, decStr("1"), recs.Records[0].Uptime)
	// registered for blocks [31, 61) of the period [1, 61): half of the period's 25 COR
	require.Equal(t, int64(30), recs.Records[0].ActiveBlocks)
	require.Equal(t, int64(60), recs.Records[0].PeriodBlocks)
	require.Equal(t, int64(25*cor/2), recs.Records[0].RewardPaid.Int64())
	f.checkInvariants(t)
}

func TestMintShareMovesToRewardsPool(t *testing.T) {
	f := newFixture(t)
	minted := coin(1_000_003)
	require.NoError(t, f.Bank.MintCoins(f.Ctx, minttypes.ModuleName, sdk.NewCoins(minted)))
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, minttypes.ModuleName, authtypes.FeeCollectorName, sdk.NewCoins(minted)))
	f.mint.coin = minted
	require.NoError(t, f.k.BeginBlocker(f.Ctx))
	require.Equal(t, int64(100_000), f.moduleBalance(types.RewardsPoolName), "10% truncated")
	require.Equal(t, int64(900_003), f.moduleBalance(authtypes.FeeCollectorName))
	require.True(t, f.hasEvent("cortd.nodes.v1.EventMintShare"))

	// never more than the fee collector holds
	f.mint.coin = coin(100_000_000)
	require.NoError(t, f.k.BeginBlocker(f.Ctx))
	require.Equal(t, int64(1_000_003), f.moduleBalance(types.RewardsPoolName))
	require.Equal(t, int64(0), f.moduleBalance(authtypes.FeeCollectorName))
}

func TestSlashNode(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "n1")
	require.NoError(t, f.heartbeat(t, op1, "n1"))

	for _, bad := range []sdkmath.LegacyDec{sdkmath.LegacyZeroDec(), decStr("-0.1"), decStr("1.01"), {}} {
		before := f.snapshot(t)
		_, err := f.k.SlashNode(f.Ctx, "n1", bad, "fraud")
		require.ErrorIs(t, err, types.ErrInvalidSlash)
		require.Equal(t, before, f.snapshot(t))
	}
	_, err := f.k.SlashNode(f.Ctx, "nope", decStr("0.1"), "fraud")
	require.ErrorIs(t, err, types.ErrNodeNotFound)

	amount, err := f.k.SlashNode(f.Ctx, "n1", decStr("0.1"), "fraud")
	require.NoError(t, err)
	require.Equal(t, minStake/10, amount.Int64())
	n, _ := f.k.GetNode(f.Ctx, "n1")
	require.Equal(t, minStake-minStake/10, n.Stake.Int64())
	require.Equal(t, sdk.NewCoins(coin(minStake/10)), f.community.Funded)
	require.Equal(t, minStake/10, f.moduleBalance("distribution"))
	require.True(t, f.hasEvent("cortd.nodes.v1.EventNodeSlashed"))
	f.checkInvariants(t)

	ok, err := f.k.IsEligible(f.Ctx, "n1", "small", 0)
	require.NoError(t, err)
	require.False(t, ok, "stake below the pool minimum: no work")
	f.Fund(t, op1, sdk.NewCoins(coin(minStake/10)))
	_, err = f.msg.AddStake(f.Ctx, &types.MsgAddStake{Operator: op1.String(), NodeId: "n1", Amount: coin(minStake / 10)})
	require.NoError(t, err)
	ok, err = f.k.IsEligible(f.Ctx, "n1", "small", 0)
	require.NoError(t, err)
	require.True(t, ok)

	// unbonding stake is still slashable
	_, err = f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op1.String(), NodeId: "n1"})
	require.NoError(t, err)
	amount, err = f.k.SlashNode(f.Ctx, "n1", decStr("1"), "fraud")
	require.NoError(t, err)
	require.Equal(t, minStake, amount.Int64())
	f.checkInvariants(t)
}
