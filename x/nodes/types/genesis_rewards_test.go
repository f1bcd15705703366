package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/nodes/types"
)

// rewardGenesis is a valid genesis with one node of one operator, in period 3 with a
// settled record of period 2.
func rewardGenesis() *types.GenesisState {
	op := keepers.NewAddr("operator").String()
	gs := types.DefaultGenesis()
	gs.Period = types.Period{Number: 3, StartHeight: 100}
	gs.Nodes = []types.Node{{
		Id: "n1", Operator: op, NodeAddress: op, PoolId: 3, Stake: sdkmath.NewInt(6_000_000_000),
		Endpoint: "http://127.0.0.1:8081", Spec: types.NodeSpec{CpuCores: 8, RamMib: 32_768},
		MemoryIndexMib: 1_000, Models: []string{"m"}, Status: types.NODE_STATUS_ACTIVE, RegisteredHeight: 1,
		Reputation: sdkmath.LegacyZeroDec(), AccruedRewards: sdkmath.ZeroInt(), RewardCarry: types.MonthSeconds - 1,
	}}
	gs.Operators = []types.Operator{{
		Address: op, BondedNodes: 1, FirstPeriod: 1, SettlingPeriod: 2, QualifiedNodes: 1,
		ObservedRoles: []string{"auditor", "evaluator"},
		Activity:      []types.RoleActivity{{Role: "auditor", Seen: 4}, {Role: "evaluator", Seen: 1}},
	}}
	zero := sdkmath.ZeroInt()
	gs.Records = []types.PeriodRecord{{
		NodeId: "n1", Period: 2, Uptime: sdkmath.LegacyOneDec(), PrecommitScore: sdkmath.LegacyOneDec(),
		CommitScore: sdkmath.LegacyOneDec(), ValidationAccuracy: sdkmath.LegacyOneDec(), TotalScore: sdkmath.LegacyOneDec(),
		Reputation: sdkmath.LegacyZeroDec(), RewardEntitled: sdkmath.NewInt(706), RewardPaid: sdkmath.NewInt(706), Paid: true,
		PeriodSeconds: 60, ActiveBlocks: 60, PeriodBlocks: 60, Bonus: sdkmath.LegacyMustNewDecFromStr("0.2"),
		MonthlyBase: sdkmath.NewInt(24_000_000), MonthlyLevel: zero, MonthlyPrize: zero,
	}}
	return gs
}

func TestRewardGenesisValidation(t *testing.T) {
	require.NoError(t, rewardGenesis().Validate())
	for name, mutate := range map[string]func(gs *types.GenesisState){
		"carry of a whole month":   func(gs *types.GenesisState) { gs.Nodes[0].RewardCarry = types.MonthSeconds },
		"negative under-since":     func(gs *types.GenesisState) { gs.Nodes[0].StakeUnderSince = -1 },
		"observed roles unsorted":  func(gs *types.GenesisState) { gs.Operators[0].ObservedRoles = []string{"evaluator", "auditor"} },
		"observed role malformed":  func(gs *types.GenesisState) { gs.Operators[0].ObservedRoles = []string{"bad role"} },
		"activity role twice":      func(gs *types.GenesisState) { gs.Operators[0].Activity[1].Role = "auditor" },
		"activity role malformed":  func(gs *types.GenesisState) { gs.Operators[0].Activity[0].Role = "" },
		"negative month line":      func(gs *types.GenesisState) { gs.Records[0].MonthlyLevel = sdkmath.NewInt(-1) },
		"bonus above 1":            func(gs *types.GenesisState) { gs.Records[0].Bonus = sdkmath.LegacyNewDec(2) },
		"active beyond the period": func(gs *types.GenesisState) { gs.Records[0].ActiveBlocks = 61 },
		"negative period blocks":   func(gs *types.GenesisState) { gs.Records[0].PeriodBlocks, gs.Records[0].ActiveBlocks = -1, -1 },
		"settlement phase unknown": func(gs *types.GenesisState) { gs.Settlements = []types.Settlement{settlement(2, 9)} },
	} {
		gs := rewardGenesis()
		mutate(gs)
		err := gs.Validate()
		if strings.HasSuffix(name, "malformed") { // role names fail as roles do everywhere
			require.ErrorIs(t, err, types.ErrInvalidRoles, name)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidGenesis, name)
		}
	}
	// a settlement in the ENTITLE pass is exported and loads
	gs := rewardGenesis()
	gs.Settlements = []types.Settlement{settlement(2, types.SETTLEMENT_PHASE_ENTITLE)}
	gs.Records[0].Paid, gs.Records[0].RewardPaid = false, sdkmath.ZeroInt()
	require.NoError(t, gs.Validate())
	// records written before the month lines existed load
	gs = rewardGenesis()
	gs.Records[0].MonthlyBase, gs.Records[0].Bonus = sdkmath.Int{}, sdkmath.LegacyDec{}
	require.NoError(t, gs.Validate())
}

func settlement(period uint64, phase types.SettlementPhase) types.Settlement {
	return types.Settlement{
		Period: period, StartHeight: 40, EndHeight: 100, Phase: phase, Owed: sdkmath.ZeroInt(),
		Ratio: sdkmath.LegacyOneDec(), Paid: sdkmath.ZeroInt(), Available: sdkmath.ZeroInt(), PeriodSeconds: 60,
	}
}
