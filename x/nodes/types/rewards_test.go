package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/nodes/types"
)

func d(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

// scores builds Scores with the given uptime, precommit and total.
func scores(uptime, precommit, total string) types.Scores {
	return types.Scores{Uptime: d(uptime), Precommit: d(precommit), Commit: d("1"), Validation: d("1"), Total: d(total)}
}

// TestRewardFormula checks ComputeReward with the default params against month rates
// worked out by hand from the phase rules (1 unit = 1 COR = 1,000,000 ucor):
//
//	base  = tier (0-3: 20, 4-7: 25, 8-10: 30) × (1 + bonus)        if qualified
//	level = 0.5 × level                                           if qualified (its own line)
//	prize = 5                                                     if total >= 50% and precommit >= 60%
//	bonus = min(min(roles × 5%, 25%) + multi-node, 30%), multi-node (3+: 10%, 5+: 20%)
//	        counting qualified nodes, for new operators only
//
// qualified = uptime >= 80% and precommit >= 60% and not disqualified.
func TestRewardFormula(t *testing.T) {
	p := types.DefaultParams()
	full := scores("1", "1", "1")
	cases := []struct {
		name            string
		level           uint32
		s               types.Scores
		roles, nodes    uint32
		newOp, disq     bool
		monthlyUcor     int64
		qualified       bool
		prize           bool
		bonus           string
		base, lvl, priz int64 // monthly lines in ucor
	}{
		{"level 0, no bonus", 0, full, 0, 1, true, false, 25_000_000, true, true, "0", 20_000_000, 0, 5_000_000},
		{"level 3, top of tier 0-3", 3, full, 0, 1, true, false, 26_500_000, true, true, "0", 20_000_000, 1_500_000, 5_000_000},
		{"level 4, tier 4-7", 4, full, 0, 2, true, false, 32_000_000, true, true, "0", 25_000_000, 2_000_000, 5_000_000},
		{"level 7", 7, full, 0, 1, true, false, 33_500_000, true, true, "0", 25_000_000, 3_500_000, 5_000_000},
		{"level 8, tier 8-10", 8, full, 0, 1, true, false, 39_000_000, true, true, "0", 30_000_000, 4_000_000, 5_000_000},
		{"level 10", 10, full, 0, 1, true, false, 40_000_000, true, true, "0", 30_000_000, 5_000_000, 5_000_000},
		// the case: tier 0-3 at level 3, 2 roles, 3 new qualified nodes:
		// 20 × (1 + 10% + 10%) + 1.5 + 5 = 30.5
		{"tier 0-3, level 3, 2 roles, 3 new nodes", 3, full, 2, 3, true, false, 30_500_000, true, true, "0.2", 24_000_000, 1_500_000, 5_000_000},
		{"tier 4-7, level 6, 1 role, 5 new nodes", 6, full, 1, 5, true, false, 39_250_000, true, true, "0.25", 31_250_000, 3_000_000, 5_000_000},
		// level 10 at the 30% cap: the level line stays +5, not 5 × 1.3 = 6.5
		{"tier 8-10, level 10, 5 roles, 6 new nodes", 10, full, 5, 6, true, false, 49_000_000, true, true, "0.3", 39_000_000, 5_000_000, 5_000_000},
		{"3 nodes, new operator: +10%", 0, full, 0, 3, true, false, 27_000_000, true, true, "0.1", 22_000_000, 0, 5_000_000},
		{"3 nodes, not a new operator: no multi-node bonus", 0, full, 0, 3, false, false, 25_000_000, true, true, "0", 20_000_000, 0, 5_000_000},
		{"5 nodes, new: +20%", 5, full, 0, 5, true, false, 37_500_000, true, true, "0.2", 30_000_000, 2_500_000, 5_000_000},
		{"2 roles: +10%", 2, full, 2, 1, true, false, 28_000_000, true, true, "0.1", 22_000_000, 1_000_000, 5_000_000},
		{"role cap 25%", 0, full, 9, 1, true, false, 30_000_000, true, true, "0.25", 25_000_000, 0, 5_000_000},
		{"total cap 30%: 15% roles + 20% nodes", 6, full, 3, 5, true, false, 40_500_000, true, true, "0.3", 32_500_000, 3_000_000, 5_000_000},
		{"uptime below 80%: prize only", 4, scores("0.79", "1", "0.9"), 0, 1, true, false, 5_000_000, false, true, "0", 0, 0, 5_000_000},
		{"precommit below 60%: nothing", 4, scores("1", "0.59", "0.9"), 0, 1, true, false, 0, false, false, "0", 0, 0, 0},
		{"disqualified: nothing", 4, full, 2, 5, true, true, 0, false, false, "0.3", 0, 0, 0},
		{"precommit exactly 60%, total 50%", 0, scores("0.8", "0.6", "0.5"), 0, 1, true, false, 25_000_000, true, true, "0", 20_000_000, 0, 5_000_000},
		{"total below 50%: base and level only", 1, scores("0.8", "0.6", "0.49"), 0, 1, true, false, 20_500_000, true, false, "0", 20_000_000, 500_000, 0},
		{"bonus multiplies the tier only", 2, scores("0.8", "0.6", "0.49"), 1, 3, true, false, 24_000_000, true, false, "0.15", 23_000_000, 1_000_000, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := types.ComputeReward(p, types.RewardInput{
				Level: tc.level, Scores: tc.s, Roles: tc.roles, QualifiedNodes: tc.nodes, NewOperator: tc.newOp, Disqualified: tc.disq,
			})
			require.Equal(t, tc.monthlyUcor, r.Monthly().Int64())
			require.Equal(t, tc.qualified, r.Qualified)
			require.Equal(t, tc.prize, r.PrizeEligible)
			require.Equal(t, d(tc.bonus).String(), r.Bonus.String())
			require.Equal(t, []int64{tc.base, tc.lvl, tc.priz}, []int64{r.MonthlyBase.Int64(), r.MonthlyLevel.Int64(), r.MonthlyPrize.Int64()})
		})
	}
}

func TestRewardLinesTruncateToWholeDenom(t *testing.T) {
	p := types.DefaultParams()
	p.RewardUnit = sdkmath.NewInt(3) // base 20 × 1.15 × 3 = 69; level 0.5 × 3 = 1.5 → 1
	r := types.ComputeReward(p, types.RewardInput{Level: 1, Scores: scores("1", "1", "0.4"), Roles: 1, QualifiedNodes: 3, NewOperator: true})
	require.Equal(t, int64(69), r.MonthlyBase.Int64())
	require.Equal(t, int64(1), r.MonthlyLevel.Int64())
	require.Equal(t, int64(70), r.Monthly().Int64())
}

func TestComputeScores(t *testing.T) {
	w := types.DefaultParams().ScoreWeights
	s := types.ComputeScores(types.PeriodStats{
		Heartbeats: 9, Assigned: 10, PrecommitsOnTime: 7, PrecommitsLate: 2, CommitsOnTime: 5, Validated: 3, Rejected: 1,
	}, 10, w)
	require.Equal(t, d("0.9"), s.Uptime)
	require.Equal(t, d("0.7"), s.Precommit)
	require.Equal(t, d("0.5"), s.Commit)
	require.Equal(t, d("0.75"), s.Validation)
	require.Equal(t, d("0.7125"), s.Total) // (0.9 + 0.7 + 0.5 + 0.75) / 4

	noValidation := types.ComputeScores(types.PeriodStats{Heartbeats: 10, Assigned: 2, PrecommitsOnTime: 1, CommitsOnTime: 2}, 10, w)
	require.Equal(t, d("0.833333333333333333"), noValidation.Total) // (1 + 0.5 + 1) / 3

	idle := types.ComputeScores(types.PeriodStats{Heartbeats: 12}, 10, w)
	require.Equal(t, d("1"), idle.Uptime, "capped at 1")
	require.Equal(t, d("1"), idle.Precommit, "no work given: not penalised")
	require.Equal(t, d("1"), idle.Total, "idle but live: total is the uptime")

	silent := types.ComputeScores(types.PeriodStats{}, 6, w)
	require.True(t, silent.Uptime.IsZero())
	require.True(t, silent.Total.IsZero(), "silent and idle scores 0")

	busyButSilent := types.ComputeScores(types.PeriodStats{Assigned: 1, PrecommitsOnTime: 1, CommitsOnTime: 1, Validated: 1}, 6, w)
	require.Equal(t, d("0.75"), busyButSilent.Total)

	require.Equal(t, uint64(6), types.ExpectedHeartbeats(1, 61, 10))
	require.Equal(t, uint64(0), types.ExpectedHeartbeats(61, 61, 10))
	require.Equal(t, uint64(0), types.ExpectedHeartbeats(70, 61, 10))
}

func TestDefaultParamsValid(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	require.NoError(t, types.DefaultGenesis().Validate())
}

func TestParamsValidateRejects(t *testing.T) {
	cases := map[string]func(p *types.Params){
		"weights do not sum to 1": func(p *types.Params) { p.ScoreWeights.Commit = d("0.3") },
		"tier gap":                func(p *types.Params) { p.RewardTiers = p.RewardTiers[:2] },
		"tier overlap":            func(p *types.Params) { p.RewardTiers[1].MinLevel = 3 },
		"thresholds not rising":   func(p *types.Params) { p.LevelThresholds[5] = p.LevelThresholds[4] },
		"threshold count":         func(p *types.Params) { p.LevelThresholds = p.LevelThresholds[:10] },
		"no pools":                func(p *types.Params) { p.Pools = nil },
		"duplicate pool":          func(p *types.Params) { p.Pools = append(p.Pools, p.Pools[0]) },
		"zero heartbeat interval": func(p *types.Params) { p.HeartbeatIntervalBlocks = 0 },
		"mint share above 1":      func(p *types.Params) { p.MintShare = d("1.1") },
		"multi-node bonus unsorted": func(p *types.Params) {
			p.MultiNodeBonuses[0], p.MultiNodeBonuses[1] = p.MultiNodeBonuses[1], p.MultiNodeBonuses[0]
		},
		"no epoch identifier":    func(p *types.Params) { p.RewardEpochIdentifier = "" },
		"zero settlement page":   func(p *types.Params) { p.MaxSettlementsPerBlock = 0 },
		"zero promotion periods": func(p *types.Params) { p.PromotionPeriods = 0 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			mutate(&p)
			require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
		})
	}
}
