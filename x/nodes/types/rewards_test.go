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

// TestRewardFormula checks ComputeReward with the default params against amounts worked
// out by hand (1 unit = 1 COR = 1,000,000 ucor):
// base by tier (0-3: 20, 4-7: 25, 8-10: 30) + 0.5 per level, times 1 + bonus where bonus =
// min(min(roles × 5%, 25%) + multi-node (3+: 10%, 5+: 20%), 30%), plus 5 when total >= 50%
// and precommit >= 60%; the base part needs uptime >= 80% and precommit >= 60%.
func TestRewardFormula(t *testing.T) {
	p := types.DefaultParams()
	full := scores("1", "1", "1")
	cases := []struct {
		name           string
		level          uint32
		s              types.Scores
		roles, nodes   uint32
		ucor           int64
		base, prize    bool
		bonus          string
		baseUnitsWant  string
		prizeUnitsWant string
	}{
		{"level 0, no bonus", 0, full, 0, 1, 25_000_000, true, true, "0", "20", "5"},                       // 20 + 5
		{"level 3, top of tier 1", 3, full, 0, 1, 26_500_000, true, true, "0", "21.5", "5"},                // 20 + 1.5 + 5
		{"level 4, tier 2", 4, full, 0, 2, 32_000_000, true, true, "0", "27", "5"},                         // 25 + 2 + 5
		{"level 7", 7, full, 0, 1, 33_500_000, true, true, "0", "28.5", "5"},                               // 25 + 3.5 + 5
		{"level 8, tier 3", 8, full, 0, 1, 39_000_000, true, true, "0", "34", "5"},                         // 30 + 4 + 5
		{"level 10", 10, full, 0, 1, 40_000_000, true, true, "0", "35", "5"},                               // 30 + 5 + 5
		{"3 nodes: +10%", 0, full, 0, 3, 27_000_000, true, true, "0.1", "20", "5"},                         // 20×1.1 + 5
		{"5 nodes: +20%", 5, full, 0, 5, 38_000_000, true, true, "0.2", "27.5", "5"},                       // 27.5×1.2 + 5
		{"2 roles: +10%", 2, full, 2, 1, 28_100_000, true, true, "0.1", "21", "5"},                         // 21×1.1 + 5
		{"role cap 25%", 0, full, 9, 1, 30_000_000, true, true, "0.25", "20", "5"},                         // 20×1.25 + 5
		{"total cap 30%: 25% roles + 20% nodes", 10, full, 5, 6, 50_500_000, true, true, "0.3", "35", "5"}, // 35×1.3 + 5
		{"total cap 30%: 15% roles + 20% nodes", 6, full, 3, 5, 41_400_000, true, true, "0.3", "28", "5"},  // 28×1.3 + 5
		{"uptime below 80%: prize only", 4, scores("0.79", "1", "0.9"), 0, 1, 5_000_000, false, true, "0", "0", "5"},
		{"precommit below 60%: nothing", 4, scores("1", "0.59", "0.9"), 0, 1, 0, false, false, "0", "0", "0"},
		{"precommit exactly 60%, total 50%", 0, scores("0.8", "0.6", "0.5"), 0, 1, 25_000_000, true, true, "0", "20", "5"},
		{"total below 50%: base only", 1, scores("0.8", "0.6", "0.49"), 0, 1, 20_500_000, true, false, "0", "20.5", "0"},
		{"bonus applies to base, not prize", 0, scores("0.8", "0.6", "0.49"), 1, 3, 23_000_000, true, false, "0.15", "20", "0"}, // 20×1.15
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := types.ComputeReward(p, types.RewardInput{Level: tc.level, Scores: tc.s, Roles: tc.roles, OperatorNodes: tc.nodes})
			require.Equal(t, tc.ucor, r.Amount.Int64())
			require.Equal(t, tc.base, r.BaseEligible)
			require.Equal(t, tc.prize, r.PrizeEligible)
			require.Equal(t, d(tc.bonus).String(), r.Bonus.String())
			require.Equal(t, d(tc.baseUnitsWant).String(), r.BaseUnits.String())
			require.Equal(t, d(tc.prizeUnitsWant).String(), r.PrizeUnits.String())
		})
	}
}

func TestRewardTruncatesToWholeDenom(t *testing.T) {
	p := types.DefaultParams()
	p.RewardUnit = sdkmath.NewInt(3) // 20.5 units × 1.15 × 3 = 70.725 → 70
	r := types.ComputeReward(p, types.RewardInput{Level: 1, Scores: scores("1", "1", "0.4"), Roles: 1, OperatorNodes: 3})
	require.Equal(t, int64(70), r.Amount.Int64())
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
