package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/keeper"
	"github.com/cortnet/cortd/x/audits/types"
)

// invariantFixture returns audits in each state, all audited by v0: ids[0] PENDING,
// ids[1] PASSED, ids[2] VOTING (the reporter's yes and v1's no), ids[3] decided FRAUD
// (all three voted yes), plus a CLEARED one (reported, v1 voted no, v2 never voted).
func invariantFixture(t *testing.T) (*fixture, [4]uint64) {
	t.Helper()
	p := types.DefaultParams()
	p.VotingWindowBlocks = 5
	f := newFixtureWithParams(t, p, 1, 1, 1)
	var ids [4]uint64
	for i := range ids {
		ids[i] = f.open(t, "s"+string(rune('1'+i)), f.ops(1, 2)...) // v0 audits all four
	}
	_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: ids[1]})
	require.NoError(t, err)
	for _, id := range ids[2:] {
		_, err = f.msg.ReportFraud(f.Ctx, &types.MsgReportFraud{Auditor: f.op(0).String(), AuditId: id, FailedCheck: "x"})
		require.NoError(t, err)
	}
	_, err = f.msg.VoteFraud(f.Ctx, &types.MsgVoteFraud{Voter: f.op(1).String(), AuditId: ids[2], Option: types.VOTE_OPTION_NO})
	require.NoError(t, err)
	for _, i := range []int{1, 2} {
		_, err = f.msg.VoteFraud(f.Ctx, &types.MsgVoteFraud{Voter: f.op(i).String(), AuditId: ids[3], Option: types.VOTE_OPTION_YES})
		require.NoError(t, err)
	}
	// both reports are decided at the end of the voting window: 3 of 3 yes is fraud, 1 of
	// 3 (v1 said no) is cleared; then a new report stays in its window
	f.runTo(t, f.audit(t, ids[3]).VotingEndHeight)
	require.Equal(t, types.AUDIT_STATUS_FRAUD, f.audit(t, ids[3]).Status)
	require.Equal(t, types.AUDIT_STATUS_CLEARED, f.audit(t, ids[2]).Status)
	// a fresh VOTING audit with two votes
	ids[2] = f.open(t, "s5", f.ops(1, 2)...)
	_, err = f.msg.ReportFraud(f.Ctx, &types.MsgReportFraud{Auditor: f.op(0).String(), AuditId: ids[2], FailedCheck: "x"})
	require.NoError(t, err)
	_, err = f.msg.VoteFraud(f.Ctx, &types.MsgVoteFraud{Voter: f.op(1).String(), AuditId: ids[2], Option: types.VOTE_OPTION_NO})
	require.NoError(t, err)
	require.Equal(t, types.AUDIT_STATUS_PENDING, f.audit(t, ids[0]).Status)
	require.Equal(t, types.AUDIT_STATUS_PASSED, f.audit(t, ids[1]).Status)
	require.Equal(t, types.AUDIT_STATUS_VOTING, f.audit(t, ids[2]).Status)
	return f, ids
}

func requireHolds(t *testing.T, f *fixture) {
	t.Helper()
	for name, inv := range map[string]sdk.Invariant{
		"index": keeper.IndexInvariant(f.k), "votes": keeper.VotesInvariant(f.k),
		"records": keeper.RecordsInvariant(f.k), "all": keeper.AllInvariants(f.k),
	} {
		msg, broken := inv(f.Ctx)
		require.False(t, broken, "%s: %s", name, msg)
	}
}

func requireBroken(t *testing.T, inv sdk.Invariant, ctx sdk.Context, want string) {
	t.Helper()
	msg, broken := inv(ctx)
	require.True(t, broken)
	require.Contains(t, msg, want)
}

func TestInvariantsHoldThroughTheLifecycle(t *testing.T) {
	f, _ := invariantFixture(t)
	requireHolds(t, f)
	// through expiry (audit 1 missed), decisions and pruning
	f.runTo(t, f.Ctx.BlockHeight()+int64(types.DefaultParams().AuditDeadlineBlocks)+10)
	requireHolds(t, f)
}

func TestIndexInvariantCatches(t *testing.T) {
	cases := map[string]struct {
		breakIt func(f *fixture, ids [4]uint64)
		want    string
	}{
		"open audit missing from the open index": {func(f *fixture, ids [4]uint64) {
			require.NoError(t, f.k.Open.Remove(f.Ctx, ids[0]))
		}, "open index says false"},
		"final audit left in the open index": {func(f *fixture, ids [4]uint64) {
			require.NoError(t, f.k.Open.Set(f.Ctx, ids[1]))
		}, "open index says true"},
		"queue entry at the wrong height": {func(f *fixture, ids [4]uint64) {
			a := f.audit(t, ids[0])
			require.NoError(t, f.k.Queue.Remove(f.Ctx, collections.Join(a.DeadlineHeight, a.Id)))
			require.NoError(t, f.k.Queue.Set(f.Ctx, collections.Join(a.DeadlineHeight+1, a.Id)))
		}, "has no queue entry"},
		"subject entry lost": {func(f *fixture, ids [4]uint64) {
			a := f.audit(t, ids[1])
			require.NoError(t, f.k.BySubject.Remove(f.Ctx, collections.Join(types.SubjectKey(a.SubjectModule, a.SubjectId), a.Id)))
		}, "no subject index entry"},
		"open subject points elsewhere": {func(f *fixture, ids [4]uint64) {
			a := f.audit(t, ids[0])
			require.NoError(t, f.k.OpenBySubject.Set(f.Ctx, types.SubjectKey(a.SubjectModule, a.SubjectId), ids[1]))
		}, "open_by_subject"},
		"stale auditor entry": {func(f *fixture, ids [4]uint64) {
			require.NoError(t, f.k.ByAuditor.Set(f.Ctx, collections.Join(f.op(2), uint64(99))))
		}, "by_auditor has"},
		"next id behind": {func(f *fixture, ids [4]uint64) {
			require.NoError(t, f.k.NextAuditID.Set(f.Ctx, ids[2]))
		}, ">= next_audit_id"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f, ids := invariantFixture(t)
			c.breakIt(f, ids)
			requireBroken(t, keeper.IndexInvariant(f.k), f.Ctx, c.want)
			requireBroken(t, keeper.AllInvariants(f.k), f.Ctx, "audits")
		})
	}
}

func TestVotesInvariantCatches(t *testing.T) {
	cases := map[string]struct {
		breakIt func(f *fixture, ids [4]uint64)
		want    string
	}{
		"vote on a pending audit": {func(f *fixture, ids [4]uint64) {
			require.NoError(t, f.k.Votes.Set(f.Ctx, collections.Join(ids[0], f.op(1)),
				types.Vote{AuditId: ids[0], Voter: f.op(1).String(), Option: types.VOTE_OPTION_YES}))
		}, "(no report)"},
		"vote stored under another voter": {func(f *fixture, ids [4]uint64) {
			require.NoError(t, f.k.Votes.Set(f.Ctx, collections.Join(ids[2], f.op(2)),
				types.Vote{AuditId: ids[2], Voter: f.op(1).String(), Option: types.VOTE_OPTION_YES}))
		}, "says"},
		"voting audit without votes": {func(f *fixture, ids [4]uint64) {
			require.NoError(t, f.k.Votes.Remove(f.Ctx, collections.Join(ids[2], f.op(0))))
			require.NoError(t, f.k.Votes.Remove(f.Ctx, collections.Join(ids[2], f.op(1))))
		}, "voting audit"},
		"tally decision contradicts the 2/3 rule": {func(f *fixture, ids [4]uint64) {
			a := f.audit(t, ids[3])
			a.Tally.YesStake = a.Tally.TotalStake.QuoRaw(2)
			require.NoError(t, f.k.Audits.Set(f.Ctx, a.Id, a))
		}, "2/3 rule"},
		"tally counts more voters than votes": {func(f *fixture, ids [4]uint64) {
			a := f.audit(t, ids[3])
			a.Tally.YesVoters += 5
			require.NoError(t, f.k.Audits.Set(f.Ctx, a.Id, a))
		}, "votes stored"},
		"status contradicts the tally": {func(f *fixture, ids [4]uint64) {
			a := f.audit(t, ids[3])
			a.Status = types.AUDIT_STATUS_CLEARED
			require.NoError(t, f.k.Audits.Set(f.Ctx, a.Id, a))
		}, "with tally fraud=true"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f, ids := invariantFixture(t)
			c.breakIt(f, ids)
			requireBroken(t, keeper.VotesInvariant(f.k), f.Ctx, c.want)
		})
	}
}

func TestRecordsInvariantCatches(t *testing.T) {
	cases := map[string]struct {
		breakIt func(f *fixture)
		want    string
	}{
		"a pass not counted": {func(f *fixture) {
			r := f.record(t, f.op(0))
			r.Passed--
			require.NoError(t, f.k.AuditorRecords.Set(f.Ctx, f.op(0), r))
		}, "assigned"},
		"a report counted twice": {func(f *fixture) {
			r := f.record(t, f.op(0))
			r.Upheld++
			require.NoError(t, f.k.AuditorRecords.Set(f.Ctx, f.op(0), r))
		}, "reported"},
		"record lost": {func(f *fixture) {
			require.NoError(t, f.k.AuditorRecords.Remove(f.Ctx, f.op(0)))
		}, "no record"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f, _ := invariantFixture(t)
			c.breakIt(f)
			requireBroken(t, keeper.RecordsInvariant(f.k), f.Ctx, c.want)
		})
	}
}
