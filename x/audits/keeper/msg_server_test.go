package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/keeper"
	"github.com/cortnet/cortd/x/audits/types"
)

func TestOnlyAuditorCanPassOrReport(t *testing.T) {
	f := newFixture(t, 1, 1, 1)
	id := f.open(t, "s1", f.ops(1, 2)...) // auditor is v0
	require.Equal(t, 0, f.auditorIndex(t, id))
	report := func(sender sdk.AccAddress) *types.MsgReportFraud {
		return &types.MsgReportFraud{Auditor: sender.String(), AuditId: id, FailedCheck: "distance",
			Figures: []types.Figure{{Name: "distance", Value: "0.42"}}}
	}

	before := f.snapshot(t)
	for _, sender := range []sdk.AccAddress{stranger, f.op(1)} {
		_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: sender.String(), AuditId: id})
		require.ErrorIs(t, err, types.ErrNotAuditor)
		_, err = f.msg.ReportFraud(f.Ctx, report(sender))
		require.ErrorIs(t, err, types.ErrNotAuditor)
		require.Equal(t, before, f.snapshot(t), "state unchanged")
	}
	_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: 99})
	require.ErrorIs(t, err, types.ErrAuditNotFound)
	_, err = f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: "cor1bad", AuditId: id})
	require.ErrorIs(t, err, types.ErrInvalidAddress)
	_, err = f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: 0})
	require.ErrorIs(t, err, types.ErrInvalidAuditID)
	require.Equal(t, before, f.snapshot(t))

	f.resetEvents()
	_, err = f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: id})
	require.NoError(t, err)
	a := f.audit(t, id)
	require.Equal(t, types.AUDIT_STATUS_PASSED, a.Status)
	require.Equal(t, f.Ctx.BlockHeight(), a.DecidedHeight)
	require.True(t, f.hasEvent("EventAuditPassed"))
	require.Equal(t, []call{{ID: id, Subject: "s1", Outcome: types.OUTCOME_PASS, Status: types.AUDIT_STATUS_PASSED}}, f.h.calls)
	require.Equal(t, int64(1), f.Balance(sink, denom).Amount.Int64(), "handler writes are kept on success")
	rec := f.record(t, f.op(0))
	require.Equal(t, uint64(1), rec.Assigned)
	require.Equal(t, uint64(1), rec.Passed)

	// closed: neither pass nor report again
	before = f.snapshot(t)
	_, err = f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: id})
	require.ErrorIs(t, err, types.ErrWrongStatus)
	_, err = f.msg.ReportFraud(f.Ctx, report(f.op(0)))
	require.ErrorIs(t, err, types.ErrWrongStatus)
	require.Equal(t, before, f.snapshot(t))

	// the subject may be audited again once closed
	f.open(t, "s1")
}

func TestAuditorActionsAfterDeadlineRejected(t *testing.T) {
	params := types.DefaultParams()
	params.AuditDeadlineBlocks = 5
	f := newFixtureWithParams(t, params, 1, 1)
	id := f.open(t, "s1", f.op(1))
	deadline := f.audit(t, id).DeadlineHeight
	// at the deadline height the auditor may still act (the message runs before EndBlock)
	f.Ctx = f.Ctx.WithBlockHeight(deadline)
	cache, _ := f.Ctx.CacheContext()
	_, err := f.msg.AuditPass(cache, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: id})
	require.NoError(t, err)
	// after it, even if EndBlock has not reached the audit yet (backlog), it is refused
	f.Ctx = f.Ctx.WithBlockHeight(deadline + 1)
	before := f.snapshot(t)
	_, err = f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: id})
	require.ErrorIs(t, err, types.ErrDeadlinePassed)
	_, err = f.msg.ReportFraud(f.Ctx, &types.MsgReportFraud{Auditor: f.op(0).String(), AuditId: id, FailedCheck: "x"})
	require.ErrorIs(t, err, types.ErrDeadlinePassed)
	require.Equal(t, before, f.snapshot(t))
}

func TestReportFraudRejections(t *testing.T) {
	figs := func(n int) []types.Figure {
		out := make([]types.Figure, n)
		for i := range out {
			out[i] = types.Figure{Name: "f" + strings.Repeat("x", i), Value: "1"}
		}
		return out
	}
	cases := []struct {
		name   string
		mutate func(m *types.MsgReportFraud)
	}{
		{"empty check", func(m *types.MsgReportFraud) { m.FailedCheck = "" }},
		{"check with space", func(m *types.MsgReportFraud) { m.FailedCheck = "a b" }},
		{"check over param", func(m *types.MsgReportFraud) { m.FailedCheck = strings.Repeat("c", 65) }},
		{"check over cap", func(m *types.MsgReportFraud) { m.FailedCheck = strings.Repeat("c", 200) }},
		{"too many figures", func(m *types.MsgReportFraud) { m.Figures = figs(17) }},
		{"figure value too long", func(m *types.MsgReportFraud) {
			m.Figures = []types.Figure{{Name: "a", Value: strings.Repeat("9", 129)}}
		}},
		{"figure empty value", func(m *types.MsgReportFraud) { m.Figures = []types.Figure{{Name: "a", Value: ""}} }},
		{"figure value with newline", func(m *types.MsgReportFraud) { m.Figures = []types.Figure{{Name: "a", Value: "1\n2"}} }},
		{"figure duplicate names", func(m *types.MsgReportFraud) {
			m.Figures = []types.Figure{{Name: "a", Value: "1"}, {Name: "a", Value: "2"}}
		}},
		{"figure bad name", func(m *types.MsgReportFraud) { m.Figures = []types.Figure{{Name: "é", Value: "1"}} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1, 1)
			id := f.open(t, "s1", f.op(1))
			msg := &types.MsgReportFraud{Auditor: f.op(0).String(), AuditId: id, FailedCheck: "distance",
				Figures: []types.Figure{{Name: "distance", Value: "0.5"}}}
			tc.mutate(msg)
			before := f.snapshot(t)
			_, err := f.msg.ReportFraud(f.Ctx, msg)
			require.ErrorIs(t, err, types.ErrInvalidReport)
			require.Equal(t, before, f.snapshot(t))
		})
	}
}

// reportBy opens an audit assigned to validator `auditor` (all others excluded) and has
// it report fraud; returns the audit id.
func (f *fixture) reportBy(t *testing.T, subject string, auditor int) uint64 {
	t.Helper()
	var exclude []int
	for i := range f.vals {
		if i != auditor {
			exclude = append(exclude, i)
		}
	}
	id := f.open(t, subject, f.ops(exclude...)...)
	require.Equal(t, auditor, f.auditorIndex(t, id))
	res, err := f.msg.ReportFraud(f.Ctx, &types.MsgReportFraud{Auditor: f.op(auditor).String(), AuditId: id,
		FailedCheck: "distance_to_target", Figures: []types.Figure{{Name: "distance", Value: "0.4123"}, {Name: "threshold", Value: "0.2"}}})
	require.NoError(t, err)
	params, err := f.k.GetParams(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, f.Ctx.BlockHeight()+int64(params.VotingWindowBlocks), res.VotingEndHeight)
	return id
}

func (f *fixture) vote(t *testing.T, voter int, id uint64, opt types.VoteOption) {
	t.Helper()
	_, err := f.msg.VoteFraud(f.Ctx, &types.MsgVoteFraud{Voter: f.op(voter).String(), AuditId: id, Option: opt})
	require.NoError(t, err)
}

func (f *fixture) closeVote(t *testing.T, id uint64) types.Audit {
	t.Helper()
	f.runTo(t, f.audit(t, id).VotingEndHeight)
	return f.audit(t, id)
}

func TestReportFraudOpensVote(t *testing.T) {
	f := newFixture(t, 1, 1, 1)
	f.resetEvents()
	id := f.reportBy(t, "s1", 0)
	a := f.audit(t, id)
	require.Equal(t, types.AUDIT_STATUS_VOTING, a.Status)
	require.Equal(t, "distance_to_target", a.Report.FailedCheck)
	require.Len(t, a.Report.Figures, 2)
	require.True(t, f.hasEvent("EventFraudReported"))
	require.Equal(t, uint64(1), f.record(t, f.op(0)).Reported)
	require.Empty(t, f.h.calls, "no outcome yet")

	res, err := f.q.Votes(f.Ctx, &types.QueryVotesRequest{AuditId: id})
	require.NoError(t, err)
	require.Len(t, res.Votes, 1, "the reporter's YES is recorded")
	require.Equal(t, types.VOTE_OPTION_YES, res.Votes[0].Option)

	// the vote is open until voting_end_height inclusive, then closes
	f.runTo(t, a.VotingEndHeight-1)
	require.Equal(t, types.AUDIT_STATUS_VOTING, f.audit(t, id).Status)
	f.vote(t, 1, id, types.VOTE_OPTION_NO)
}

func TestVoteFraudRejections(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 1)
	pendingID := f.open(t, "pending")
	id := f.reportBy(t, "s1", 0)
	f.Unbond(t, f.vals[3])
	f.AddValidator(t, "unbonded", 1) // created after the last set update: never bonded

	cases := []struct {
		name string
		msg  *types.MsgVoteFraud
		err  error
	}{
		{"stranger", &types.MsgVoteFraud{Voter: stranger.String(), AuditId: id, Option: types.VOTE_OPTION_YES}, types.ErrNotBondedValidator},
		{"never bonded validator", &types.MsgVoteFraud{Voter: sdk.AccAddress(f.AddrOf("unbonded")).String(), AuditId: id, Option: types.VOTE_OPTION_YES}, types.ErrNotBondedValidator},
		{"unbonded validator", &types.MsgVoteFraud{Voter: f.op(3).String(), AuditId: id, Option: types.VOTE_OPTION_YES}, types.ErrNotBondedValidator},
		{"unspecified option", &types.MsgVoteFraud{Voter: f.op(1).String(), AuditId: id}, types.ErrInvalidVoteOption},
		{"unknown option", &types.MsgVoteFraud{Voter: f.op(1).String(), AuditId: id, Option: 7}, types.ErrInvalidVoteOption},
		{"unknown audit", &types.MsgVoteFraud{Voter: f.op(1).String(), AuditId: 99, Option: types.VOTE_OPTION_YES}, types.ErrAuditNotFound},
		{"audit not voting", &types.MsgVoteFraud{Voter: f.op(1).String(), AuditId: pendingID, Option: types.VOTE_OPTION_YES}, types.ErrWrongStatus},
		{"bad address", &types.MsgVoteFraud{Voter: "nope", AuditId: id, Option: types.VOTE_OPTION_YES}, types.ErrInvalidAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.snapshot(t)
			_, err := f.msg.VoteFraud(f.Ctx, tc.msg)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, before, f.snapshot(t))
		})
	}
	t.Run("after the window", func(t *testing.T) {
		ctx := f.Ctx
		f.Ctx = f.Ctx.WithBlockHeight(f.audit(t, id).VotingEndHeight + 1)
		before := f.snapshot(t)
		_, err := f.msg.VoteFraud(f.Ctx, &types.MsgVoteFraud{Voter: f.op(1).String(), AuditId: id, Option: types.VOTE_OPTION_YES})
		require.ErrorIs(t, err, types.ErrVotingClosed)
		require.Equal(t, before, f.snapshot(t))
		f.Ctx = ctx
	})
}

// TestDoubleVoteRejected: a voter votes once. A second vote, the same or the opposite,
// is refused with ErrAlreadyVoted and changes nothing; the reporter's YES recorded with
// its report is its vote, so it cannot vote again either.
func TestDoubleVoteRejected(t *testing.T) {
	f := newFixture(t, 1, 1, 1)
	id := f.reportBy(t, "s1", 0)
	f.vote(t, 1, id, types.VOTE_OPTION_YES)
	tally, err := f.q.Tally(f.Ctx, &types.QueryTallyRequest{AuditId: id})
	require.NoError(t, err)
	require.True(t, tally.Tally.Fraud, "2 of 3 live")
	require.Equal(t, uint32(2), tally.Tally.YesVoters)

	for _, c := range []struct {
		name  string
		voter int
		opt   types.VoteOption
	}{
		{"opposite vote", 1, types.VOTE_OPTION_NO},
		{"same vote again", 1, types.VOTE_OPTION_YES},
		{"reporter votes after its report", 0, types.VOTE_OPTION_NO},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := f.snapshot(t)
			_, err := f.msg.VoteFraud(f.Ctx, &types.MsgVoteFraud{Voter: f.op(c.voter).String(), AuditId: id, Option: c.opt})
			require.ErrorIs(t, err, types.ErrAlreadyVoted)
			require.Equal(t, before, f.snapshot(t))
		})
	}
	votes, err := f.q.Votes(f.Ctx, &types.QueryVotesRequest{AuditId: id})
	require.NoError(t, err)
	require.Len(t, votes.Votes, 2, "one vote per voter")

	a := f.closeVote(t, id)
	require.Equal(t, types.AUDIT_STATUS_FRAUD, a.Status, "the first votes stand")
}

func tokens(power int64) sdkmath.Int {
	return sdk.TokensFromConsensusPower(power, sdk.DefaultPowerReduction)
}

// TestFraudThresholdBoundary: yes = exactly 2/3 of the bonded stake is fraud, just below
// is not.
func TestFraudThresholdBoundary(t *testing.T) {
	t.Run("exactly two thirds", func(t *testing.T) {
		f := newFixture(t, 2, 1)
		f.resetEvents()
		id := f.reportBy(t, "s1", 0) // v0 (2 of 3) reports: its YES is the vote
		a := f.closeVote(t, id)
		require.Equal(t, types.AUDIT_STATUS_FRAUD, a.Status)
		require.Equal(t, tokens(2), a.Tally.YesStake)
		require.Equal(t, tokens(3), a.Tally.TotalStake)
		require.True(t, f.hasEvent("EventFraudDecided"))
		require.Equal(t, []call{{ID: id, Subject: "s1", Outcome: types.OUTCOME_FRAUD, Status: types.AUDIT_STATUS_FRAUD}}, f.h.calls)
		require.Equal(t, uint64(1), f.record(t, f.op(0)).Upheld)
	})
	t.Run("just below two thirds", func(t *testing.T) {
		f := newFixture(t, 200, 101)
		id := f.reportBy(t, "s1", 0) // 200 of 301: 600 < 602
		a := f.closeVote(t, id)
		require.Equal(t, types.AUDIT_STATUS_CLEARED, a.Status)
		require.False(t, a.Tally.Fraud)
		require.Equal(t, []call{{ID: id, Subject: "s1", Outcome: types.OUTCOME_CLEARED, Status: types.AUDIT_STATUS_CLEARED}}, f.h.calls)
		require.Equal(t, uint64(1), f.record(t, f.op(0)).Rejected)
	})
	t.Run("two voters reach exactly two thirds", func(t *testing.T) {
		f := newFixture(t, 4, 2, 3)
		id := f.reportBy(t, "s1", 0)
		f.vote(t, 1, id, types.VOTE_OPTION_YES) // 6 of 9
		f.vote(t, 2, id, types.VOTE_OPTION_NO)
		require.Equal(t, types.AUDIT_STATUS_FRAUD, f.closeVote(t, id).Status)
	})
	t.Run("no votes beyond the reporter", func(t *testing.T) {
		f := newFixture(t, 1, 1, 1)
		id := f.reportBy(t, "s1", 0)
		require.Equal(t, types.AUDIT_STATUS_CLEARED, f.closeVote(t, id).Status)
	})
	require.True(t, keeper.IsFraud(sdkmath.NewInt(2), sdkmath.NewInt(3)))
	require.False(t, keeper.IsFraud(sdkmath.NewInt(1999), sdkmath.NewInt(3000)))
	require.True(t, keeper.IsFraud(sdkmath.NewInt(2000), sdkmath.NewInt(3000)))
	require.False(t, keeper.IsFraud(sdkmath.ZeroInt(), sdkmath.ZeroInt()))
}

// TestUnbondedVotesIgnored: the tally is over the bonded set at tally time; a validator
// that left the set after voting does not count, for yes nor for the total.
func TestUnbondedVotesIgnored(t *testing.T) {
	f := newFixture(t, 3, 3, 3)
	id := f.reportBy(t, "s1", 0)
	f.vote(t, 1, id, types.VOTE_OPTION_YES) // 6 of 9 would be fraud
	f.Unbond(t, f.vals[1])
	a := f.closeVote(t, id)
	require.Equal(t, types.AUDIT_STATUS_CLEARED, a.Status, "3 of 6 once v1 left the bonded set")
	require.Equal(t, tokens(6), a.Tally.TotalStake)
	require.Equal(t, tokens(3), a.Tally.YesStake)
	require.Equal(t, uint32(1), a.Tally.YesVoters)
}
