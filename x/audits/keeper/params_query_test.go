package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/audits/types"
)

func TestUpdateParams(t *testing.T) {
	f := newFixture(t, 1, 1)
	p := types.DefaultParams()
	p.AuditDeadlineBlocks = 7

	before := f.snapshot(t)
	_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: stranger.String(), Params: p})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	require.Equal(t, before, f.snapshot(t))

	bad := p
	bad.MaxFigures = types.MaxFiguresCap + 1
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: bad})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.Equal(t, before, f.snapshot(t))

	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.NoError(t, err)
	res, err := f.q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, p, res.Params)
	id := f.open(t, "s1")
	require.Equal(t, f.Ctx.BlockHeight()+7, f.audit(t, id).DeadlineHeight, "new audits use the new deadline")
}

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	for name, mutate := range map[string]func(p *types.Params){
		"zero deadline":      func(p *types.Params) { p.AuditDeadlineBlocks = 0 },
		"huge deadline":      func(p *types.Params) { p.AuditDeadlineBlocks = 1 << 50 },
		"zero window":        func(p *types.Params) { p.VotingWindowBlocks = 0 },
		"zero retention":     func(p *types.Params) { p.RetentionBlocks = 0 },
		"zero queue":         func(p *types.Params) { p.MaxQueuePerBlock = 0 },
		"figure bytes cap":   func(p *types.Params) { p.MaxFigureBytes = types.MaxFigureBytesCap + 1 },
		"check name cap":     func(p *types.Params) { p.MaxCheckNameBytes = 0 },
		"figures zero":       func(p *types.Params) { p.MaxFigures = 0 },
		"queue over the cap": func(p *types.Params) { p.MaxQueuePerBlock = 100_001 },
	} {
		p := types.DefaultParams()
		mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
}

func TestQueries(t *testing.T) {
	f := newFixture(t, 1, 1, 1)
	a1 := f.open(t, "s1", f.ops(1, 2)...)
	a2 := f.open(t, "s2", f.ops(1, 2)...)
	_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: a1})
	require.NoError(t, err)
	a3 := f.open(t, "s1", f.ops(0, 2)...) // the second audit of s1, by v1
	voting := f.reportBy(t, "s3", 2)

	res, err := f.q.Audit(f.Ctx, &types.QueryAuditRequest{Id: a2})
	require.NoError(t, err)
	require.Equal(t, "s2", res.Audit.SubjectId)
	_, err = f.q.Audit(f.Ctx, &types.QueryAuditRequest{Id: 99})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = f.q.Audit(f.Ctx, nil)
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	bySubject, err := f.q.AuditsBySubject(f.Ctx, &types.QueryAuditsBySubjectRequest{SubjectModule: subjectModule, SubjectId: "s1"})
	require.NoError(t, err)
	require.Equal(t, []uint64{a1, a3}, ids(bySubject.Audits))
	_, err = f.q.AuditsBySubject(f.Ctx, &types.QueryAuditsBySubjectRequest{SubjectModule: "x-y", SubjectId: "s1"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	open, err := f.q.OpenAudits(f.Ctx, &types.QueryOpenAuditsRequest{Pagination: &query.PageRequest{Limit: 2}})
	require.NoError(t, err)
	require.Equal(t, []uint64{a2, a3}, ids(open.Audits))
	require.NotEmpty(t, open.Pagination.NextKey)
	open, err = f.q.OpenAudits(f.Ctx, &types.QueryOpenAuditsRequest{Pagination: &query.PageRequest{Key: open.Pagination.NextKey}})
	require.NoError(t, err)
	require.Equal(t, []uint64{voting}, ids(open.Audits))

	// by auditor: account or validator address
	for _, who := range []string{f.op(0).String(), f.vals[0].String()} {
		mine, err := f.q.AuditsByAuditor(f.Ctx, &types.QueryAuditsByAuditorRequest{Auditor: who})
		require.NoError(t, err)
		require.Equal(t, []uint64{a1, a2}, ids(mine.Audits))
	}
	_, err = f.q.AuditsByAuditor(f.Ctx, &types.QueryAuditsByAuditorRequest{Auditor: "bad"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	rec, err := f.q.AuditorRecord(f.Ctx, &types.QueryAuditorRecordRequest{Auditor: f.op(0).String()})
	require.NoError(t, err)
	require.Equal(t, types.AuditorRecord{Auditor: f.op(0).String(), Assigned: 2, Passed: 1}, rec.Record)
	rec, err = f.q.AuditorRecord(f.Ctx, &types.QueryAuditorRecordRequest{Auditor: stranger.String()})
	require.NoError(t, err)
	require.Equal(t, types.AuditorRecord{Auditor: stranger.String()}, rec.Record, "never assigned: zero counts")
	recs, err := f.q.AuditorRecords(f.Ctx, &types.QueryAuditorRecordsRequest{})
	require.NoError(t, err)
	require.Len(t, recs.Records, 3)

	tally, err := f.q.Tally(f.Ctx, &types.QueryTallyRequest{AuditId: voting})
	require.NoError(t, err)
	require.Equal(t, types.AUDIT_STATUS_VOTING, tally.Status)
	require.Equal(t, tokens(1), tally.Tally.YesStake)
	require.Equal(t, tokens(3), tally.Tally.TotalStake)
	_, err = f.q.Tally(f.Ctx, &types.QueryTallyRequest{AuditId: a2})
	require.Equal(t, codes.FailedPrecondition, status.Code(err))
	f.closeVote(t, voting)
	tally, err = f.q.Tally(f.Ctx, &types.QueryTallyRequest{AuditId: voting})
	require.NoError(t, err)
	require.Equal(t, types.AUDIT_STATUS_CLEARED, tally.Status)
	require.False(t, tally.Tally.Fraud)
}

func ids(as []types.Audit) []uint64 {
	out := make([]uint64, len(as))
	for i, a := range as {
		out[i] = a.Id
	}
	return out
}
