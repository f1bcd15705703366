package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// requireDisqualified checks that the node earned nothing in period and that its record
// says why (the reason's code first).
func requireDisqualified(t *testing.T, f *fixture, id string, period uint64, code string) {
	t.Helper()
	rec := f.record(t, id, period)
	require.True(t, strings.HasPrefix(rec.Disqualification, code+": "), "%s period %d: %q", id, period, rec.Disqualification)
	require.False(t, rec.Qualified)
	require.True(t, rec.RewardEntitled.IsZero())
	require.True(t, rec.MonthlyPrize.IsZero(), "not even the prize")
}

func requireNotDisqualified(t *testing.T, f *fixture, id string, period uint64, entitledCOR int64) {
	t.Helper()
	rec := f.record(t, id, period)
	require.Empty(t, rec.Disqualification, "%s period %d", id, period)
	require.Equal(t, entitledCOR*cor, rec.RewardEntitled.Int64(), "%s period %d", id, period)
}

func (f *fixture) addStake(t *testing.T, operator sdk.AccAddress, id string, amount int64) {
	t.Helper()
	f.Fund(t, operator, sdk.NewCoins(coin(amount)))
	_, err := f.msg.AddStake(f.Ctx, &types.MsgAddStake{Operator: operator.String(), NodeId: id, Amount: coin(amount)})
	require.NoError(t, err)
}

// TestDisqualifiedForStakeBelowMinimum: a slash takes node a under the pool minimum
// mid-period (it gets no work but keeps heartbeating) and a top-up before the period ends
// does not make it whole: period 1 earns nothing. In period 2 the stake stayed at the
// minimum: 25 COR. Node b, never slashed, earns 25 both times.
func TestDisqualifiedForStakeBelowMinimum(t *testing.T) {
	f := newFixture(t)
	registerAll(t, f, op1, "a", "b")
	f.fundPool(t, 1_000*cor)
	beat(t, f, 1, 21, op1, []string{"a", "b"})
	_, err := f.k.SlashNode(f.Ctx, "a", decStr("0.1"), "fraud")
	require.NoError(t, err)
	n, _ := f.k.GetNode(f.Ctx, "a")
	require.Equal(t, int64(11), n.StakeUnderSince)
	beat(t, f, 21, 51, op1, []string{"a", "b"})
	f.addStake(t, op1, "a", minStake/10)
	n, _ = f.k.GetNode(f.Ctx, "a")
	require.Zero(t, n.StakeUnderSince, "back at the minimum")
	beat(t, f, 51, 61, op1, []string{"a", "b"})
	closeAt(t, f, 61)
	requireDisqualified(t, f, "a", 1, types.DisqualStakeBelowMinimum)
	requireNotDisqualified(t, f, "b", 1, 25)

	beat(t, f, 61, 121, op1, []string{"a", "b"})
	closeAt(t, f, 121)
	requireNotDisqualified(t, f, "a", 2, 25)
	f.checkInvariants(t)
}

// TestStakeBelowMinimumAcrossPeriodEnds: the stake stays under the minimum for all of
// period 2 (no event in it) and is topped up after the period closed but before its
// settlement scored the node: periods 1, 2 and 3 (topped up in it) are all disqualified;
// period 4 pays again.
func TestStakeBelowMinimumAcrossPeriodEnds(t *testing.T) {
	f := newFixture(t)
	registerAll(t, f, op1, "a")
	f.fundPool(t, 1_000*cor)
	beat(t, f, 1, 61, op1, []string{"a"})
	_, err := f.k.SlashNode(f.Ctx, "a", decStr("0.5"), "fraud")
	require.NoError(t, err)
	closeAt(t, f, 61)
	requireDisqualified(t, f, "a", 1, types.DisqualStakeBelowMinimum)

	beat(t, f, 61, 121, op1, []string{"a"})
	f.atHeight(121)
	require.NoError(t, f.k.ClosePeriod(f.Ctx)) // closed, not yet settled
	f.atHeight(122)
	f.addStake(t, op1, "a", minStake/2)
	f.endPeriod(t) // settles period 2; also closes period 3 at the current height
	requireDisqualified(t, f, "a", 2, types.DisqualStakeBelowMinimum)
	requireDisqualified(t, f, "a", 3, types.DisqualStakeBelowMinimum)

	start := f.Ctx.BlockHeight()
	beat(t, f, start, start+60, op1, []string{"a"})
	closeAt(t, f, start+60)
	requireNotDisqualified(t, f, "a", 4, 25)
}

// TestDisqualifiedForWarmPrecommitMisses: nodes claim "small" loaded in every heartbeat.
// With min_warm_assignments 3 and max_warm_miss_share 0.5:
//   - a: 4 warm assignments, 1 precommit: at least 3 missed > 2: disqualified;
//   - b: 4 warm, 2 precommits: 2 missed, not more than half: not disqualified (precommit
//     score 50% < 60%: no base, total 0.875 ≥ 50% but precommit too low: no prize);
//   - c: 4 cold assignments (for "medium", not claimed) and no precommit: the claim rule
//     does not apply (it is simply not paid);
//   - d: 2 warm assignments, none answered: below the 3-assignment minimum.
func TestDisqualifiedForWarmPrecommitMisses(t *testing.T) {
	f := newFixture(t)
	ids := []string{"a", "b", "c", "d"}
	registerAll(t, f, op1, ids...)
	f.fundPool(t, 1_000*cor)
	beat(t, f, 1, 21, op1, ids, "small")
	assign := func(id, model string, times int) {
		for range times {
			require.NoError(t, f.k.RecordAssignmentFor(f.Ctx, id, model))
		}
	}
	precommit := func(id string, times int) {
		for range times {
			require.NoError(t, f.k.RecordPrecommit(f.Ctx, id, true))
		}
	}
	assign("a", "small", 4)
	precommit("a", 1)
	assign("b", "small", 4)
	precommit("b", 2)
	assign("c", "medium", 4)
	assign("d", "small", 2)
	require.ErrorIs(t, f.k.RecordAssignmentFor(f.Ctx, "nope", "small"), types.ErrNodeNotFound)
	beat(t, f, 21, 61, op1, ids, "small")
	closeAt(t, f, 61)

	requireDisqualified(t, f, "a", 1, types.DisqualWarmPrecommitMisses)
	require.Contains(t, f.record(t, "a", 1).Disqualification, "at least 3 of 4 warm assignments")
	for _, id := range []string{"b", "c", "d"} {
		require.Empty(t, f.record(t, id, 1).Disqualification, id)
	}
	require.Equal(t, uint64(4), f.record(t, "b", 1).Stats.WarmAssigned)
	require.Equal(t, uint64(0), f.record(t, "c", 1).Stats.WarmAssigned, "cold assignments")
	require.Equal(t, uint64(4), f.record(t, "c", 1).Stats.Assigned)
}

// TestDisqualifiedForHeartbeatChurn: node a switches its claimed loaded model in every
// heartbeat (5 changes in 6 heartbeats > half): disqualified. Node b loads "small", then
// switches once to "medium" (1 change): 25 COR. Loading up from nothing is no change.
func TestDisqualifiedForHeartbeatChurn(t *testing.T) {
	f := newFixture(t)
	registerAll(t, f, op1, "a", "b")
	f.fundPool(t, 1_000*cor)
	for i, h := 0, int64(1); h < 61; i, h = i+1, h+10 {
		f.atHeight(h)
		require.NoError(t, f.heartbeat(t, op1, "a", []string{"small", "medium"}[i%2]))
		require.NoError(t, f.heartbeat(t, op1, "b", []string{"small", "medium"}[min(i, 1)]))
	}
	closeAt(t, f, 61)
	requireDisqualified(t, f, "a", 1, types.DisqualHeartbeatChurn)
	require.Equal(t, uint64(5), f.record(t, "a", 1).Stats.LoadedChanges)
	require.Contains(t, f.record(t, "a", 1).Disqualification, "5 loaded-model changes in 6 heartbeats")
	require.Equal(t, uint64(1), f.record(t, "b", 1).Stats.LoadedChanges)
	requireNotDisqualified(t, f, "b", 1, 25)
}

// TestDisqualificationRulesOffWhenUnset: params without the shares (older params JSON;
// stored, an unset share reads as 0) disqualify nobody for churn or warm misses.
func TestDisqualificationRulesOffWhenUnset(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.MaxWarmMissShare, p.MaxLoadedChangeShare = sdkmath.LegacyDec{}, sdkmath.LegacyDec{}
	})
	registerAll(t, f, op1, "a")
	f.fundPool(t, 1_000*cor)
	for i, h := 0, int64(1); h < 61; i, h = i+1, h+10 {
		f.atHeight(h)
		require.NoError(t, f.heartbeat(t, op1, "a", []string{"small", "medium"}[i%2]))
	}
	for range 4 {
		require.NoError(t, f.k.RecordAssignmentFor(f.Ctx, "a", "medium"))
	}
	closeAt(t, f, 61)
	require.Empty(t, f.record(t, "a", 1).Disqualification)
}
