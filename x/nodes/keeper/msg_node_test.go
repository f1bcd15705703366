package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

func TestAddStake(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "n1")
	f.Fund(t, op1, sdk.NewCoins(coin(100)))

	before := f.snapshot(t)
	for _, tc := range []struct {
		name string
		msg  *types.MsgAddStake
		err  error
	}{
		{"stranger", &types.MsgAddStake{Operator: op2.String(), NodeId: "n1", Amount: coin(10)}, types.ErrNotOperator},
		{"unknown node", &types.MsgAddStake{Operator: op1.String(), NodeId: "n2", Amount: coin(10)}, types.ErrNodeNotFound},
		{"wrong denom", &types.MsgAddStake{Operator: op1.String(), NodeId: "n1", Amount: sdk.NewInt64Coin("uatom", 10)}, types.ErrInvalidDenom},
		{"zero", &types.MsgAddStake{Operator: op1.String(), NodeId: "n1", Amount: coin(0)}, types.ErrInvalidAmount},
	} {
		_, err := f.msg.AddStake(f.Ctx, tc.msg)
		require.ErrorIs(t, err, tc.err, tc.name)
		require.Equal(t, before, f.snapshot(t), tc.name)
	}
	_, err := f.msg.AddStake(f.Ctx, &types.MsgAddStake{Operator: op1.String(), NodeId: "n1", Amount: coin(100)})
	require.NoError(t, err)
	n, _ := f.k.GetNode(f.Ctx, "n1")
	require.Equal(t, minStake+100, n.Stake.Int64())
	f.checkInvariants(t)
}

func TestUpdateNode(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "n1")
	require.NoError(t, f.heartbeat(t, op1, "n1", "small", "medium"))

	upd := func() *types.MsgUpdateNode {
		return &types.MsgUpdateNode{
			Operator: op1.String(), NodeId: "n1", Endpoint: "https://node1.example:8443", Spec: spec(),
			MemoryIndexMib: 60_000, Models: []string{"big", "small"}, NodeAddress: nodeKey1.String(),
		}
	}
	before := f.snapshot(t)
	for _, tc := range []struct {
		name   string
		mutate func(m *types.MsgUpdateNode)
		err    error
	}{
		{"stranger", func(m *types.MsgUpdateNode) { m.Operator = op2.String() }, types.ErrNotOperator},
		{"unknown model", func(m *types.MsgUpdateNode) { m.Models = []string{"nope"} }, types.ErrUnknownModel},
		{"model larger than memory index", func(m *types.MsgUpdateNode) { m.MemoryIndexMib = 40_000 }, types.ErrModelTooLarge},
		{"bad endpoint", func(m *types.MsgUpdateNode) { m.Endpoint = "node1" }, types.ErrInvalidEndpoint},
		{"unknown node", func(m *types.MsgUpdateNode) { m.NodeId = "n9" }, types.ErrNodeNotFound},
	} {
		m := upd()
		tc.mutate(m)
		_, err := f.msg.UpdateNode(f.Ctx, m)
		require.ErrorIs(t, err, tc.err, tc.name)
		require.Equal(t, before, f.snapshot(t), tc.name)
	}

	_, err := f.msg.UpdateNode(f.Ctx, upd())
	require.NoError(t, err)
	n, _ := f.k.GetNode(f.Ctx, "n1")
	require.Equal(t, []string{"big", "small"}, n.Models)
	require.Equal(t, []string{"small"}, n.LoadedModels, "medium is no longer served, so no longer loaded")
	require.Equal(t, nodeKey1.String(), n.NodeAddress)
	require.Equal(t, "https://node1.example:8443", n.Endpoint)

	// the model index follows: n1 now appears for big, not for medium
	f.atHeight(f.Ctx.BlockHeight() + 10)
	require.NoError(t, f.heartbeat(t, nodeKey1, "n1"))
	ok, err := f.k.IsEligible(f.Ctx, "n1", "big", 0)
	require.NoError(t, err)
	require.True(t, ok)
	res, err := f.q.EligibleNodes(f.Ctx, &types.QueryEligibleNodesRequest{ModelId: "medium"})
	require.NoError(t, err)
	require.Empty(t, res.Nodes)
	f.checkInvariants(t)
}

func TestUnbondNode(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.UnbondingBlocks = 50 })
	f.register(t, op1, "n1")
	f.register(t, op1, "n2")
	require.NoError(t, f.heartbeat(t, op1, "n1"))

	before := f.snapshot(t)
	_, err := f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op2.String(), NodeId: "n1"})
	require.ErrorIs(t, err, types.ErrNotOperator)
	require.Equal(t, before, f.snapshot(t))

	f.atHeight(10)
	res, err := f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op1.String(), NodeId: "n1"})
	require.NoError(t, err)
	require.Equal(t, int64(60), res.CompletionHeight)
	ok, err := f.k.IsEligible(f.Ctx, "n1", "small", 0)
	require.NoError(t, err)
	require.False(t, ok, "an unbonding node gets no work at once")
	opRes, _ := f.q.Operator(f.Ctx, &types.QueryOperatorRequest{Operator: op1.String()})
	require.Equal(t, uint32(1), opRes.Operator.BondedNodes)
	f.checkInvariants(t)

	// unbond twice, heartbeat, add stake and update while unbonding are rejected
	before = f.snapshot(t)
	_, err = f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op1.String(), NodeId: "n1"})
	require.ErrorIs(t, err, types.ErrNodeUnbonding)
	f.atHeight(20)
	require.ErrorIs(t, f.heartbeat(t, op1, "n1"), types.ErrNodeUnbonding)
	f.Fund(t, op1, sdk.NewCoins(coin(1)))
	_, err = f.msg.AddStake(f.Ctx, &types.MsgAddStake{Operator: op1.String(), NodeId: "n1", Amount: coin(1)})
	require.ErrorIs(t, err, types.ErrNodeUnbonding)
	before.balances[0] = f.Balance(op1, denom)
	require.Equal(t, before, f.snapshot(t))

	// accrued rewards still pay out at completion, with the stake
	n, _ := f.k.GetNode(f.Ctx, "n1")
	f.fundPool(t, 7)
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, types.RewardsPoolName, types.ModuleName, sdk.NewCoins(coin(7))))
	n.AccruedRewards = n.AccruedRewards.AddRaw(7)
	require.NoError(t, f.k.Nodes.Set(f.Ctx, "n1", n))
	f.checkInvariants(t)

	opBefore := f.Balance(op1, denom).Amount.Int64()
	f.atHeight(59)
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	_, err = f.k.GetNode(f.Ctx, "n1")
	require.NoError(t, err, "not yet")
	f.atHeight(60)
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	_, err = f.k.GetNode(f.Ctx, "n1")
	require.ErrorIs(t, err, types.ErrNodeNotFound)
	require.Equal(t, opBefore+minStake+7, f.Balance(op1, denom).Amount.Int64())
	require.True(t, f.hasEvent("cortd.nodes.v1.EventNodeUnbonded"))
	byOp, err := f.q.NodesByOperator(f.Ctx, &types.QueryNodesByOperatorRequest{Operator: op1.String()})
	require.NoError(t, err)
	require.Len(t, byOp.Nodes, 1)
	require.Equal(t, "n2", byOp.Nodes[0].Id)
	f.checkInvariants(t)
}

func TestUnbondingQueueIsPaged(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.UnbondingBlocks = 5; p.MaxUnbondingsPerBlock = 2 })
	for i := range 5 {
		f.register(t, op1, nodeID(i))
		_, err := f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op1.String(), NodeId: nodeID(i)})
		require.NoError(t, err)
	}
	f.atHeight(6)
	remaining := func() int {
		res, err := f.q.Nodes(f.Ctx, &types.QueryNodesRequest{})
		require.NoError(t, err)
		return len(res.Nodes)
	}
	for _, want := range []int{3, 1, 0} {
		require.NoError(t, f.k.EndBlocker(f.Ctx))
		require.Equal(t, want, remaining())
		f.atHeight(f.Ctx.BlockHeight() + 1)
	}
	_, err := f.k.Operators.Get(f.Ctx, op1.String())
	require.Error(t, err, "an operator record with no nodes and no roles is deleted")
	f.checkInvariants(t)
}

func TestWithdrawRewards(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "n1")

	before := f.snapshot(t)
	_, err := f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: op1.String(), NodeId: "n1"})
	require.ErrorIs(t, err, types.ErrNoRewards)
	require.Equal(t, before, f.snapshot(t))

	// earn a period's reward: heartbeat every slot, then end the period
	f.fundPool(t, 1_000*cor)
	for h := int64(1); h <= 60; h += 10 {
		f.atHeight(h)
		require.NoError(t, f.heartbeat(t, op1, "n1"))
	}
	f.atHeight(61)
	f.endPeriod(t)
	n, _ := f.k.GetNode(f.Ctx, "n1")
	require.Equal(t, 25*cor, n.AccruedRewards.Int64(), "20 base + 5 prize at level 0")

	before = f.snapshot(t)
	_, err = f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: op2.String(), NodeId: "n1"})
	require.ErrorIs(t, err, types.ErrNotOperator)
	require.Equal(t, before, f.snapshot(t))

	res, err := f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: op1.String(), NodeId: "n1"})
	require.NoError(t, err)
	require.Equal(t, coin(25*cor), res.Amount)
	require.Equal(t, 25*cor, f.Balance(op1, denom).Amount.Int64())
	n, _ = f.k.GetNode(f.Ctx, "n1")
	require.True(t, n.AccruedRewards.IsZero())
	f.checkInvariants(t)
}

func TestFundRewardsPool(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, op1, sdk.NewCoins(coin(100), sdk.NewInt64Coin("uatom", 100)))
	before := f.snapshot(t)
	_, err := f.msg.FundRewardsPool(f.Ctx, &types.MsgFundRewardsPool{Sender: op1.String(), Amount: sdk.NewInt64Coin("uatom", 5)})
	require.ErrorIs(t, err, types.ErrInvalidDenom)
	_, err = f.msg.FundRewardsPool(f.Ctx, &types.MsgFundRewardsPool{Sender: op1.String(), Amount: coin(101)})
	require.ErrorContains(t, err, "insufficient funds")
	require.Equal(t, before, f.snapshot(t))

	_, err = f.msg.FundRewardsPool(f.Ctx, &types.MsgFundRewardsPool{Sender: op1.String(), Amount: coin(100)})
	require.NoError(t, err)
	res, err := f.q.RewardsPool(f.Ctx, &types.QueryRewardsPoolRequest{})
	require.NoError(t, err)
	require.Equal(t, coin(100), res.Balance)
}

func TestSetOperatorRoles(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot(t)
	_, err := f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: op1.String(), Operator: op1.String(), Roles: []string{"x"}})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	_, err = f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: f.Authority, Operator: op1.String(), Roles: []string{"a", "a"}})
	require.ErrorIs(t, err, types.ErrInvalidRoles)
	_, err = f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: f.Authority, Operator: op1.String(), Roles: []string{"bad role"}})
	require.ErrorIs(t, err, types.ErrInvalidRoles)
	many := make([]string, 17)
	for i := range many {
		many[i] = nodeID(i)
	}
	_, err = f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: f.Authority, Operator: op1.String(), Roles: many})
	require.ErrorIs(t, err, types.ErrInvalidRoles)
	require.Equal(t, before, f.snapshot(t))

	_, err = f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: f.Authority, Operator: op1.String(), Roles: []string{"tester", "builder"}})
	require.NoError(t, err)
	res, err := f.q.Operator(f.Ctx, &types.QueryOperatorRequest{Operator: op1.String()})
	require.NoError(t, err)
	require.Equal(t, []string{"builder", "tester"}, res.Operator.Roles)

	// clearing the roles of an operator without nodes removes the record
	_, err = f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: f.Authority, Operator: op1.String()})
	require.NoError(t, err)
	_, err = f.k.Operators.Get(f.Ctx, op1.String())
	require.Error(t, err)
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	p.RewardEpochIdentifier = "hour"
	before := f.snapshot(t)
	_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: op1.String(), Params: p})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	bad := p
	bad.ScoreWeights.Uptime = decStr("0.5")
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: bad})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	bad = p
	bad.Denom = "uatom"
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: bad})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.Equal(t, before, f.snapshot(t))

	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.NoError(t, err)
	res, err := f.q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, "hour", res.Params.RewardEpochIdentifier)

	// the "minute" epoch no longer closes a period; "hour" does
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, "minute", 1))
	period, _ := f.k.Period.Get(f.Ctx)
	require.Equal(t, uint64(1), period.Number)
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, "hour", 1))
	period, _ = f.k.Period.Get(f.Ctx)
	require.Equal(t, uint64(2), period.Number)
}
