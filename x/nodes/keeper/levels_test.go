package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/nodes/types"
)

// livePeriod runs one 60-block period for the given nodes: each heartbeats in every
// 10-block slot when alive[i] (and gets 4 tasks, precommitted on time onTime[i] of them,
// all committed and validated), then the period ends and is settled.
func livePeriod(t *testing.T, f *fixture, ids []string, alive []bool, onTime []int) {
	t.Helper()
	start := f.Ctx.BlockHeight()
	for h := start; h < start+60; h += 10 {
		f.atHeight(h)
		for i, id := range ids {
			if alive[i] {
				require.NoError(t, f.heartbeat(t, op1, id))
			}
		}
	}
	for i, id := range ids {
		for task := range 4 {
			require.NoError(t, f.k.RecordAssignment(f.Ctx, id))
			require.NoError(t, f.k.RecordPrecommit(f.Ctx, id, task < onTime[i]))
			require.NoError(t, f.k.RecordCommit(f.Ctx, id, true))
			require.NoError(t, f.k.RecordValidated(f.Ctx, id))
		}
	}
	f.atHeight(start + 60)
	f.endPeriod(t)
	f.atHeight(f.Ctx.BlockHeight() + 1)
}

// TestLevelTransitionsOverManyPeriods drives nodes through 45 settled periods and checks
// every level step: with default thresholds (level l needs 0.45 + 0.05·l), 3 periods per
// promotion and a 0.05 demotion margin.
func TestLevelTransitionsOverManyPeriods(t *testing.T) {
	f := newFixture(t)
	f.fundPool(t, 1_000_000*cor)
	f.register(t, op1, "perfect")  // total 1.0: one level per 3 periods up to 10
	f.register(t, op1, "mediocre") // precommit 1/4 → total 0.8125: climbs to level 7 and stops
	f.register(t, op1, "fading")   // perfect, then silent (total 0.75): falls to the level whose floor is 0.75
	ids := []string{"perfect", "mediocre", "fading"}
	f.atHeight(1)

	level := func(id string) uint32 {
		n, err := f.k.GetNode(f.Ctx, id)
		require.NoError(t, err)
		return n.Level
	}
	for period := 1; period <= 45; period++ {
		fadingAlive := period <= 30
		livePeriod(t, f, ids, []bool{true, true, fadingAlive}, []int{4, 1, 4})

		wantPerfect := uint32(min(period/3, 10))
		require.Equal(t, wantPerfect, level("perfect"), "perfect after period %d", period)
		// 0.8125 reaches level 7's threshold (0.80) but never level 8's (0.85).
		require.Equal(t, uint32(min(period/3, 7)), level("mediocre"), "mediocre after period %d", period)
		switch {
		case period <= 30:
			require.Equal(t, wantPerfect, level("fading"), "fading after period %d", period)
		case period == 31:
			require.Equal(t, uint32(9), level("fading"), "0.75 < floor of 10 (0.90)")
		case period == 32:
			require.Equal(t, uint32(8), level("fading"), "0.75 < floor of 9 (0.85)")
		case period == 33:
			require.Equal(t, uint32(7), level("fading"), "0.75 < floor of 8 (0.80)")
		default:
			require.Equal(t, uint32(7), level("fading"), "0.75 is level 7's floor: it stays")
		}
	}

	// the level history query shows each step (newest first when reversed), and only
	// history_periods are kept
	res, err := f.q.LevelHistory(f.Ctx, &types.QueryLevelHistoryRequest{NodeId: "fading", Pagination: &query.PageRequest{Reverse: true}})
	require.NoError(t, err)
	require.Equal(t, uint32(7), res.Level)
	require.Len(t, res.History, int(types.DefaultParams().HistoryPeriods))
	require.Equal(t, uint64(45), res.History[0].Period)
	require.Equal(t, uint64(16), res.History[len(res.History)-1].Period)
	require.Equal(t, uint32(10), res.History[14].LevelBefore) // period 31
	require.Equal(t, uint32(9), res.History[14].LevelAfter)
	// reputation has moved from 1 towards 0.75 with alpha 0.2 over 15 periods
	require.True(t, res.Reputation.LT(decStr("0.76")) && res.Reputation.GT(decStr("0.75")), res.Reputation.String())
	f.checkInvariants(t)
}

func TestNextLevelRules(t *testing.T) {
	p := types.DefaultParams()
	cases := []struct {
		name                  string
		level, streak         uint32
		score                 string
		wantLevel, wantStreak uint32
	}{
		{"first period at next threshold", 0, 0, "0.50", 0, 1},
		{"third consecutive: promoted", 0, 2, "0.50", 1, 0},
		{"miss resets the streak", 3, 2, "0.62", 3, 0},
		{"within margin: stays", 5, 1, "0.66", 5, 0},
		{"below floor: down one", 5, 2, "0.6499", 4, 0},
		{"never below 0", 0, 0, "0", 0, 0},
		{"never above 10", 10, 5, "1", 10, 0},
		{"big jump is still one level", 1, 2, "1", 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, s := types.NextLevel(p, tc.level, tc.streak, decStr(tc.score))
			require.Equal(t, tc.wantLevel, l)
			require.Equal(t, tc.wantStreak, s)
		})
	}
}

func TestLevelHistoryOrder(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "n")
	f.atHeight(1)
	for range 3 {
		livePeriod(t, f, []string{"n"}, []bool{true}, []int{4})
	}
	res, err := f.q.LevelHistory(f.Ctx, &types.QueryLevelHistoryRequest{NodeId: "n"})
	require.NoError(t, err)
	require.Len(t, res.History, 3)
	require.Equal(t, uint64(1), res.History[0].Period, "period order by default")
	require.Equal(t, uint32(1), res.Level)
	require.Equal(t, uint32(0), res.History[2].LevelBefore)
	require.Equal(t, uint32(1), res.History[2].LevelAfter)
}
