package keeper_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
)

var poolAddr = authtypes.NewModuleAddress(types.RewardsPoolName)

func (f *fixture) fundPool(t testing.TB, amt int64) {
	t.Helper()
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom, amt))
	require.NoError(t, f.Bank.MintCoins(f.Ctx, minttypes.ModuleName, coins))
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, minttypes.ModuleName, types.RewardsPoolName, coins))
}

// Emissions: the epoch emission is allocated by weight, capped by the unallocated pool;
// operators withdraw; the pool always covers what is pending and nothing is minted.
func TestEmissionsByWeight(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	f.fundPool(t, 15_000_000) // 1.5 × the default epoch emission
	c, a, b, d := f.toEvaluating(t)
	for i := 0; i < 2; i++ {
		_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(i, c.Id, map[string]uint32{a: 10_000, b: 5_000}))
		require.NoError(t, err)
	}
	f.runTo(t, c.EvaluationEndHeight)
	require.NoError(t, f.k.CloseEpoch(f.Ctx))
	f.checkInvariants(t)

	pending := func(n string) sdkmath.Int {
		res, err := f.q.PendingRewards(f.Ctx, &types.QueryPendingRewardsRequest{NodeId: n})
		require.NoError(t, err)
		return res.Amount
	}
	pa, pb, pd := pending(a), pending(b), pending(d)
	require.True(t, pa.GT(pb) && pb.GT(pd), "rewards follow weights: %s %s %s", pa, pb, pd)
	sum := pa.Add(pb).Add(pd)
	require.True(t, sum.LTE(sdkmath.NewInt(10_000_000)) && sum.GT(sdkmath.NewInt(10_000_000-3)), "at most one unit of dust per node: %s", sum)
	// each node's reward is floor(weight × emission)
	ws, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: types.TASK_TYPE_BUGFIX})
	require.NoError(t, err)
	for _, w := range ws.Weights {
		require.Equal(t, w.Weight.MulInt64(10_000_000).TruncateInt(), pending(w.NodeId))
	}

	// second epoch: only the unallocated 5 COR (plus dust) are left to pay
	require.NoError(t, f.k.CloseEpoch(f.Ctx))
	f.checkInvariants(t)
	res, err := f.q.PendingRewards(f.Ctx, &types.QueryPendingRewardsRequest{NodeId: a})
	require.NoError(t, err)
	require.True(t, res.PendingTotal.LTE(res.PoolBalance))
	require.True(t, res.PoolBalance.Sub(res.PendingTotal).LT(sdkmath.NewInt(10)), "pool drained to dust")

	// withdrawals
	f.rejects(t, types.ErrNotNodeOperator, func() error {
		_, err := f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: stranger.String(), NodeId: a})
		return err
	})
	f.rejects(t, types.ErrNodeNotFound, func() error {
		_, err := f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: minerOp(0).String(), NodeId: "ghost"})
		return err
	})
	owed := pending(a)
	before := f.Bank.GetBalance(f.Ctx, minerOp(nodeIndex(a)), denom)
	out, err := f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: minerOp(nodeIndex(a)).String(), NodeId: a})
	require.NoError(t, err)
	require.Equal(t, owed, out.Amount.Amount)
	require.Equal(t, before.Amount.Add(owed), f.Bank.GetBalance(f.Ctx, minerOp(nodeIndex(a)), denom).Amount)
	f.checkInvariants(t)
	f.rejects(t, types.ErrNoRewards, func() error {
		_, err := f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: minerOp(nodeIndex(a)).String(), NodeId: a})
		return err
	})
	// balances add up: the pool paid exactly what the operator received
	require.Equal(t, sdkmath.NewInt(15_000_000).Sub(owed), f.Bank.GetBalance(f.Ctx, poolAddr, denom).Amount)
}

type fakeMint struct{ coin sdk.Coin }

func (m fakeMint) BlockProvision(context.Context) (sdk.Coin, error) { return m.coin, nil }

func TestMintShare(t *testing.T) {
	f := newFixture(t, 0)
	k := keeper.NewKeeper(f.Cdc, f.StoreService(types.StoreKey), f.Staking, f.nodes.Nodes, f.Bank, f.Account,
		f.nodes.Community, fakeMint{sdk.NewInt64Coin(denom, 1000)}, authtypes.FeeCollectorName, f.Authority)
	p := testParams()
	p.MintShare = dec("0.25")
	require.NoError(t, k.Params.Set(f.Ctx, p))
	// the fee collector holds only 100: the share (250) is capped at it
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom, 100))
	require.NoError(t, f.Bank.MintCoins(f.Ctx, minttypes.ModuleName, coins))
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, minttypes.ModuleName, authtypes.FeeCollectorName, coins))
	require.NoError(t, k.BeginBlocker(f.Ctx))
	require.Equal(t, int64(100), f.Bank.GetBalance(f.Ctx, poolAddr, denom).Amount.Int64())
	require.NoError(t, f.Bank.MintCoins(f.Ctx, minttypes.ModuleName, sdk.NewCoins(sdk.NewInt64Coin(denom, 1000))))
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, minttypes.ModuleName, authtypes.FeeCollectorName, sdk.NewCoins(sdk.NewInt64Coin(denom, 1000))))
	require.NoError(t, k.BeginBlocker(f.Ctx))
	require.Equal(t, int64(350), f.Bank.GetBalance(f.Ctx, poolAddr, denom).Amount.Int64())
}

// The invariants catch coins that bypass the module (a deposit escrow out of balance, a
// pool below its pending rewards).
func TestInvariantsDetectImbalance(t *testing.T) {
	f := newFixture(t, 3, 10, 10)
	f.post(t)
	f.checkInvariants(t)
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom, 1))
	require.NoError(t, f.Bank.MintCoins(f.Ctx, minttypes.ModuleName, coins))
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, minttypes.ModuleName, types.ModuleName, coins))
	_, broken := keeper.DepositsInvariant(f.k)(f.Ctx)
	require.True(t, broken)

	g := newFixture(t, 0)
	require.NoError(t, g.k.Pending.Set(g.Ctx, "n0", sdkmath.NewInt(5)))
	require.NoError(t, g.k.PendingTotal.Set(g.Ctx, sdkmath.NewInt(5)))
	_, broken = keeper.RewardsInvariant(g.k)(g.Ctx)
	require.True(t, broken, "pool holds 0 < 5 pending")
	g.fundPool(t, 5)
	_, broken = keeper.RewardsInvariant(g.k)(g.Ctx)
	require.False(t, broken)
}

// With max_queue_per_block = 1 transitions lag, but windows are enforced by height: a
// commit at the closing height is late even while the challenge still says COMMIT.
func TestPagedQueueDoesNotExtendWindows(t *testing.T) {
	f := newFixture(t, 5, 10, 10)
	p := testParams()
	p.MaxQueuePerBlock = 1
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	_, err := f.msg.PostChallenge(f.Ctx, f.postMsg())
	require.NoError(t, err)
	m := f.postMsg()
	m.Poster = f.op(1).String()
	_, err = f.msg.PostChallenge(f.Ctx, m)
	require.NoError(t, err)
	f.nextBlock(t) // invites challenge 1 only
	require.Equal(t, types.CHALLENGE_STATUS_INVITING, f.challenge(t, 2).Status)
	f.nextBlock(t)
	c2 := f.challenge(t, 2)
	require.Equal(t, types.CHALLENGE_STATUS_COMMIT, c2.Status)
	require.Equal(t, int64(13), c2.CommitEndHeight, "window starts at the draw")
	f.at(c2.CommitEndHeight)
	n := c2.Invited[0]
	f.rejects(t, types.ErrDeadlinePassed, func() error {
		_, err := f.msg.CommitPatch(f.Ctx, &types.MsgCommitPatch{Sender: minerOp(nodeIndex(n)).String(), ChallengeId: 2,
			NodeId: n, Commitment: commitmentFor(n)})
		return err
	})
}
