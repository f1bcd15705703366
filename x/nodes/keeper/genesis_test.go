package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/nodes/types"
)

func TestGenesisRoundTripMidSettlement(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxSettlementsPerBlock = 1; p.UnbondingBlocks = 1000 })
	for _, id := range []string{"a", "b", "c"} {
		f.register(t, op1, id)
	}
	heartbeatAll(t, f, 1, 61, "a", "b", "c")
	_, err := f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op1.String(), NodeId: "c"})
	require.NoError(t, err)
	_, err = f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: f.Authority, Operator: op2.String(), Roles: []string{"r"}})
	require.NoError(t, err)
	f.atHeight(61)
	require.NoError(t, f.k.ClosePeriod(f.Ctx))
	require.NoError(t, f.k.EndBlocker(f.Ctx)) // one node scored, settlement in progress
	require.NoError(t, f.k.RecordAssignment(f.Ctx, "a"))

	exported, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	require.Len(t, exported.Settlements, 1)
	require.Len(t, exported.Records, 1)
	require.NotEmpty(t, exported.LiveStats)

	g := newFixture(t)
	require.NoError(t, g.k.InitGenesis(g.Ctx, exported))
	again, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	// the rebuilt indexes serve queries and the unbonding queue
	byOp, err := g.q.NodesByOperator(g.Ctx, &types.QueryNodesByOperatorRequest{Operator: op1.String()})
	require.NoError(t, err)
	require.Len(t, byOp.Nodes, 3)
	c, err := g.k.GetNode(g.Ctx, "c")
	require.NoError(t, err)
	require.Equal(t, int64(51+1000), c.UnbondingCompleteHeight)
	has, err := g.k.UnbondingQueue.Has(g.Ctx, joinQueue(c.UnbondingCompleteHeight, "c"))
	require.NoError(t, err)
	require.True(t, has)
}

func TestGenesisValidateRejects(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "a")
	good, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, good.Validate())

	cases := map[string]func(gs *types.GenesisState){
		"duplicate node":      func(gs *types.GenesisState) { gs.Nodes = append(gs.Nodes, gs.Nodes[0]) },
		"level above 10":      func(gs *types.GenesisState) { gs.Nodes[0].Level = 11 },
		"unknown pool":        func(gs *types.GenesisState) { gs.Nodes[0].PoolId = 1 },
		"negative stake":      func(gs *types.GenesisState) { gs.Nodes[0].Stake = sdkmath.NewInt(-1) },
		"unsorted models":     func(gs *types.GenesisState) { gs.Nodes[0].Models = []string{"small", "medium"} },
		"loaded not served":   func(gs *types.GenesisState) { gs.Nodes[0].LoadedModels = []string{"big"} },
		"unbonding no height": func(gs *types.GenesisState) { gs.Nodes[0].Status = types.NODE_STATUS_UNBONDING },
		"bonded count wrong":  func(gs *types.GenesisState) { gs.Operators[0].BondedNodes = 2 },
		"missing operator":    func(gs *types.GenesisState) { gs.Operators = nil },
		"period zero":         func(gs *types.GenesisState) { gs.Period.Number = 0 },
		"stats of unknown node": func(gs *types.GenesisState) {
			gs.LiveStats = []types.LiveStats{{Period: 1, NodeId: "zz"}}
		},
		"settlement of open period": func(gs *types.GenesisState) {
			gs.Settlements = []types.Settlement{{Period: 1, Phase: types.SETTLEMENT_PHASE_SCORE, Owed: sdkmath.ZeroInt(),
				Paid: sdkmath.ZeroInt(), Ratio: sdkmath.LegacyZeroDec(), Available: sdkmath.ZeroInt()}}
		},
		"reputation above 1": func(gs *types.GenesisState) { gs.Nodes[0].Reputation = sdkmath.LegacyNewDec(2) },
		"bad node id":        func(gs *types.GenesisState) { gs.Nodes[0].Id = "a b" },
		"bad node address":   func(gs *types.GenesisState) { gs.Nodes[0].NodeAddress = "nope" },
		"active with unbonding height": func(gs *types.GenesisState) {
			gs.Nodes[0].UnbondingCompleteHeight = 5
		},
		"unspecified status": func(gs *types.GenesisState) { gs.Nodes[0].Status = types.NODE_STATUS_UNSPECIFIED },
		"duplicate operator": func(gs *types.GenesisState) { gs.Operators = append(gs.Operators, gs.Operators[0]) },
		"bad operator":       func(gs *types.GenesisState) { gs.Operators[0].Address = "nope" },
		"unsorted roles":     func(gs *types.GenesisState) { gs.Operators[0].Roles = []string{"b", "a"} },
		"bad role":           func(gs *types.GenesisState) { gs.Operators[0].Roles = []string{"a b"} },
		"settlement bad phase": func(gs *types.GenesisState) {
			gs.Period.Number, gs.LiveStats = 3, nil
			gs.Settlements = []types.Settlement{{Period: 2, Owed: sdkmath.ZeroInt(), Paid: sdkmath.ZeroInt(),
				Ratio: sdkmath.LegacyZeroDec(), Available: sdkmath.ZeroInt()}}
		},
		"record paid above entitled": func(gs *types.GenesisState) {
			gs.Period.Number, gs.LiveStats = 3, nil
			gs.Records = []types.PeriodRecord{{Period: 2, NodeId: gs.Nodes[0].Id,
				RewardEntitled: sdkmath.NewInt(1), RewardPaid: sdkmath.NewInt(2)}}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			gs, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			mutate(gs)
			// InitGenesis refuses what Validate (`cortd genesis validate`) rejects, with the
			// same error, and writes nothing.
			want := gs.Validate()
			require.Error(t, want)
			before, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			require.EqualError(t, f.k.InitGenesis(f.Ctx, gs), want.Error())
			after, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			require.Equal(t, before, after, "a refused genesis writes nothing")
		})
	}
}
