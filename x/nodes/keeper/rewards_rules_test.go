package keeper_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/keeper"
	"github.com/cortnet/cortd/x/nodes/types"
)

// The worked numbers below use the default params (1 reward unit = 1 COR = 1,000,000
// ucor; tiers 20/25/30 a month; +0.5 a level; 5% a role capped at 25%; multi-node 10% at
// 3+, 20% at 5+ for new operators; bonus cap 30%; prize 5) and, where a test sets no epoch
// source, periods counted as one month each (so a period pays the month rate).

// fakeEpochs gives every epoch the same duration.
type fakeEpochs struct{ d time.Duration }

func (e fakeEpochs) EpochDuration(context.Context, string) (time.Duration, error) { return e.d, nil }

// fakeRole is an observed role whose counters the test sets; reads counts how often
// settlement asked.
type fakeRole struct {
	name   string
	counts map[string]uint64
	reads  int
}

func (r *fakeRole) Role() string { return r.name }

func (r *fakeRole) Count(_ context.Context, addr sdk.AccAddress) (uint64, error) {
	r.reads++
	return r.counts[addr.String()], nil
}

// beat sends one heartbeat per slot in [from, to) for each node, from operator's key,
// claiming loaded (if any).
func beat(t *testing.T, f *fixture, from, to int64, operator sdk.AccAddress, ids []string, loaded ...string) {
	t.Helper()
	for h := from; h < to; h += 10 {
		f.atHeight(h)
		for _, id := range ids {
			require.NoError(t, f.heartbeat(t, operator, id, loaded...))
		}
	}
}

// closeAt ends the open period at height h and settles it.
func closeAt(t *testing.T, f *fixture, h int64) {
	t.Helper()
	f.atHeight(h)
	f.endPeriod(t)
}

func (f *fixture) record(t *testing.T, id string, period uint64) types.PeriodRecord {
	t.Helper()
	rec, err := f.k.Records.Get(f.Ctx, collections.Join(id, period))
	require.NoError(t, err)
	return rec
}

func (f *fixture) setLevel(t *testing.T, id string, level uint32) {
	t.Helper()
	n, err := f.k.GetNode(f.Ctx, id)
	require.NoError(t, err)
	n.Level = level
	require.NoError(t, f.k.Nodes.Set(f.Ctx, id, n))
}

func (f *fixture) setRoles(t *testing.T, operator sdk.AccAddress, roles ...string) {
	t.Helper()
	_, err := f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: f.Authority, Operator: operator.String(), Roles: roles})
	require.NoError(t, err)
}

func registerAll(t *testing.T, f *fixture, operator sdk.AccAddress, ids ...string) {
	t.Helper()
	for _, id := range ids {
		f.register(t, operator, id)
	}
}

// TestRewardsPerMinutePeriod is the case on one-minute periods: tier 0-3 at level
// 3, 2 roles, 3 new qualified nodes. The month rate is 20 × (1 + 10% + 10%) + 3 × 0.5 + 5
// = 30.5 COR; a one-minute period pays 30,500,000 × 60 / 2,592,000 = 706.018... → 706
// ucor and carries 48,000 ucor·s. In period 2 the operator is no longer new (window 1):
// 20 × 1.1 + 1.5 + 5 = 28.5 COR a month, and (28,500,000 × 60 + 48,000) / 2,592,000 =
// 659 ucor with 1,920,000 carried.
func TestRewardsPerMinutePeriod(t *testing.T) {
	f := newFixture(t)
	f.k.SetRewardSources(keeper.RewardSources{Epochs: fakeEpochs{time.Minute}})
	ids := []string{"a", "b", "c"}
	registerAll(t, f, op1, ids...)
	for _, id := range ids {
		f.setLevel(t, id, 3)
	}
	f.setRoles(t, op1, "router", "trainer")
	f.fundPool(t, 1_000*cor)

	beat(t, f, 1, 61, op1, ids)
	closeAt(t, f, 61)
	for _, id := range ids {
		rec := f.record(t, id, 1)
		require.Equal(t, uint64(60), rec.PeriodSeconds)
		require.True(t, rec.Qualified)
		require.True(t, rec.NewOperator)
		require.Equal(t, uint32(2), rec.Roles)
		require.Equal(t, uint32(3), rec.OperatorQualifiedNodes)
		require.Equal(t, decStr("0.2"), rec.Bonus)
		require.Equal(t, []int64{24_000_000, 1_500_000, 5_000_000}, []int64{rec.MonthlyBase.Int64(), rec.MonthlyLevel.Int64(), rec.MonthlyPrize.Int64()})
		require.Equal(t, int64(706), rec.RewardEntitled.Int64())
		require.Equal(t, int64(706), rec.RewardPaid.Int64())
		n, _ := f.k.GetNode(f.Ctx, id)
		require.Equal(t, uint64(48_000), n.RewardCarry)
	}

	beat(t, f, 61, 121, op1, ids)
	closeAt(t, f, 121)
	for _, id := range ids {
		rec := f.record(t, id, 2)
		require.Equal(t, uint32(3), rec.LevelBefore)
		require.False(t, rec.NewOperator, "window 1: only the first period")
		require.Equal(t, decStr("0.1"), rec.Bonus, "roles only")
		require.Equal(t, int64(659), rec.RewardEntitled.Int64())
		n, _ := f.k.GetNode(f.Ctx, id)
		require.Equal(t, uint64(1_920_000), n.RewardCarry)
		require.Equal(t, int64(706+659), n.AccruedRewards.Int64())
	}
	f.checkInvariants(t)
}

// TestLevelBonusIsItsOwnLine: level 10 with 5 roles and 6 new qualified nodes. The bonus
// is capped at 30% and multiplies the tier only: 30 × 1.3 + 10 × 0.5 + 5 = 49 COR (the
// old formula, (30 + 5) × 1.3 + 5, paid 50.5).
func TestLevelBonusIsItsOwnLine(t *testing.T) {
	f := newFixture(t)
	ids := []string{"n1", "n2", "n3", "n4", "n5", "n6"}
	registerAll(t, f, op1, ids...)
	for _, id := range ids {
		f.setLevel(t, id, 10)
	}
	f.setRoles(t, op1, "r1", "r2", "r3", "r4", "r5")
	f.fundPool(t, 1_000*cor)
	beat(t, f, 1, 61, op1, ids)
	closeAt(t, f, 61)
	for _, id := range ids {
		rec := f.record(t, id, 1)
		require.Equal(t, types.MonthSeconds, rec.PeriodSeconds, "no epoch source: a period counts as a month")
		require.Equal(t, decStr("0.3"), rec.Bonus)
		require.Equal(t, int64(39*cor), rec.MonthlyBase.Int64())
		require.Equal(t, int64(5*cor), rec.MonthlyLevel.Int64(), "+5, not +6.5")
		require.Equal(t, int64(49*cor), rec.RewardEntitled.Int64())
	}
}

// TestMultiNodeBonusCountsQualifiedNodesOfNewOperators, with new_operator_window = 2:
//   - period 1: op1 has 5 nodes but only 3 heartbeat (qualify): +10%, 20 × 1.1 + 5 = 27;
//     the silent nodes earn nothing;
//   - period 2: all 5 qualify: +20%, 20 × 1.2 + 5 = 29;
//   - period 3: op1 is past its window: 25; op2, whose first node registers in period 3,
//     is new: its 3 qualified nodes get +10% on the blocks they were registered.
func TestMultiNodeBonusCountsQualifiedNodesOfNewOperators(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.NewOperatorWindow = 2 })
	ids := []string{"n1", "n2", "n3", "n4", "n5"}
	registerAll(t, f, op1, ids...)
	f.fundPool(t, 10_000*cor)

	beat(t, f, 1, 61, op1, ids[:3])
	closeAt(t, f, 61)
	for _, id := range ids[:3] {
		rec := f.record(t, id, 1)
		require.Equal(t, uint32(3), rec.OperatorQualifiedNodes)
		require.Equal(t, int64(27*cor), rec.RewardEntitled.Int64())
	}
	for _, id := range ids[3:] {
		rec := f.record(t, id, 1)
		require.False(t, rec.Qualified)
		require.True(t, rec.RewardEntitled.IsZero())
	}

	beat(t, f, 61, 121, op1, ids)
	closeAt(t, f, 121)
	for _, id := range ids {
		require.Equal(t, int64(29*cor), f.record(t, id, 2).RewardEntitled.Int64(), id)
	}

	op2IDs := []string{"m1", "m2", "m3"}
	joined := f.Ctx.BlockHeight() // settlement of period 2 moved past its start (121)
	registerAll(t, f, op2, op2IDs...)
	beat(t, f, 121, 181, op1, ids)
	beat(t, f, joined, 181, op2, op2IDs)
	closeAt(t, f, 181)
	for _, id := range ids {
		rec := f.record(t, id, 3)
		require.False(t, rec.NewOperator)
		require.Equal(t, int64(25*cor), rec.RewardEntitled.Int64())
	}
	for _, id := range op2IDs {
		rec := f.record(t, id, 3)
		require.True(t, rec.NewOperator)
		require.Equal(t, uint32(3), rec.OperatorQualifiedNodes)
		require.Equal(t, 181-joined, rec.ActiveBlocks)
		require.Equal(t, int64(60), rec.PeriodBlocks)
		require.Equal(t, 27*cor*rec.ActiveBlocks/60, rec.RewardEntitled.Int64(), "27 COR pro rata")
	}
	f.checkInvariants(t)
}

// TestObservedRoles: op1 holds the governance role "auditor" and runs the auditor and
// evaluator roles on chain. Period 1 only records the counters (1 role: 20 × 1.05 + 5 =
// 26); in period 2 both counters grew (auditor counted once with the granted one: 2 roles,
// 27); in period 3 neither grew (26 again). Each operator's counters are read once per
// period, whatever its node count.
func TestObservedRoles(t *testing.T) {
	f := newFixture(t)
	auditor := &fakeRole{name: "auditor", counts: map[string]uint64{op1.String(): 4}}
	evaluator := &fakeRole{name: "evaluator", counts: map[string]uint64{}}
	f.k.SetRewardSources(keeper.RewardSources{Roles: []types.RoleObserver{auditor, evaluator}})
	registerAll(t, f, op1, "a", "b")
	f.setRoles(t, op1, "auditor")
	f.fundPool(t, 1_000*cor)

	beat(t, f, 1, 61, op1, []string{"a", "b"})
	closeAt(t, f, 61)
	require.Equal(t, uint32(1), f.record(t, "a", 1).Roles)
	require.Equal(t, int64(26*cor), f.record(t, "a", 1).RewardEntitled.Int64())
	require.Equal(t, []int{1, 1}, []int{auditor.reads, evaluator.reads}, "one read per operator and period")

	auditor.counts[op1.String()], evaluator.counts[op1.String()] = 6, 1
	beat(t, f, 61, 121, op1, []string{"a", "b"})
	closeAt(t, f, 121)
	op, err := f.k.Operators.Get(f.Ctx, op1.String())
	require.NoError(t, err)
	require.Equal(t, []string{"auditor", "evaluator"}, op.ObservedRoles)
	for _, id := range []string{"a", "b"} {
		require.Equal(t, uint32(2), f.record(t, id, 2).Roles)
		require.Equal(t, int64(27*cor), f.record(t, id, 2).RewardEntitled.Int64())
	}

	beat(t, f, 121, 181, op1, []string{"a", "b"})
	closeAt(t, f, 181)
	require.Equal(t, int64(26*cor), f.record(t, "a", 3).RewardEntitled.Int64())
	require.Equal(t, []int{3, 3}, []int{auditor.reads, evaluator.reads})
}

// TestRoleAndTotalCaps: 4 granted roles + 2 observed = 6 roles, capped at 25%; with 5 new
// qualified nodes (+20%) the total is capped at 30%: 20 × 1.3 + 5 = 31 COR.
func TestRoleAndTotalCaps(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.NewOperatorWindow = 2 })
	auditor := &fakeRole{name: "auditor", counts: map[string]uint64{}}
	evaluator := &fakeRole{name: "evaluator", counts: map[string]uint64{}}
	f.k.SetRewardSources(keeper.RewardSources{Roles: []types.RoleObserver{auditor, evaluator}})
	ids := []string{"n1", "n2", "n3", "n4", "n5"}
	registerAll(t, f, op1, ids...)
	f.setRoles(t, op1, "r1", "r2", "r3", "r4")
	f.fundPool(t, 1_000*cor)
	beat(t, f, 1, 61, op1, ids)
	closeAt(t, f, 61)
	auditor.counts[op1.String()], evaluator.counts[op1.String()] = 1, 1
	beat(t, f, 61, 121, op1, ids)
	closeAt(t, f, 121)
	rec := f.record(t, "n1", 2)
	require.Equal(t, uint32(6), rec.Roles)
	require.Equal(t, decStr("0.3"), rec.Bonus)
	require.Equal(t, int64(31*cor), rec.RewardEntitled.Int64())
}

func TestSetRewardSourcesRejectsBadLists(t *testing.T) {
	f := newFixture(t)
	require.Panics(t, func() {
		f.k.SetRewardSources(keeper.RewardSources{Roles: []types.RoleObserver{&fakeRole{name: "x"}, &fakeRole{name: "x"}}})
	}, "duplicate role")
	require.Panics(t, func() {
		f.k.SetRewardSources(keeper.RewardSources{Roles: []types.RoleObserver{&fakeRole{name: "bad role"}}})
	}, "invalid role name")
	f.k.SetRewardSources(keeper.RewardSources{})
	require.Panics(t, func() { f.k.SetRewardSources(keeper.RewardSources{}) }, "twice")
}
