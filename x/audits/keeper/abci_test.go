package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/cortnet/cortd/x/audits/types"
)

// TestMissedDeadline: no verdict by the deadline → MISSED, recorded against the auditor,
// the handler is told the subject passes.
func TestMissedDeadline(t *testing.T) {
	params := types.DefaultParams()
	params.AuditDeadlineBlocks = 10
	f := newFixtureWithParams(t, params, 1, 1)
	id := f.open(t, "s1", f.op(1))
	a := f.audit(t, id)
	f.runTo(t, a.DeadlineHeight-1)
	require.Equal(t, types.AUDIT_STATUS_PENDING, f.audit(t, id).Status)
	require.Empty(t, f.h.calls)

	f.resetEvents()
	f.nextBlock(t)
	a = f.audit(t, id)
	require.Equal(t, types.AUDIT_STATUS_MISSED, a.Status)
	require.Equal(t, a.DeadlineHeight, a.DecidedHeight)
	require.Equal(t, a.DecidedHeight+int64(params.RetentionBlocks), a.PruneHeight)
	require.True(t, f.hasEvent("EventAuditExpired"))
	require.Equal(t, []call{{ID: id, Subject: "s1", Outcome: types.OUTCOME_MISSED_PASS, Status: types.AUDIT_STATUS_MISSED}}, f.h.calls)
	rec, err := f.q.AuditorRecord(f.Ctx, &types.QueryAuditorRecordRequest{Auditor: f.vals[0].String()})
	require.NoError(t, err)
	require.Equal(t, types.AuditorRecord{Auditor: f.op(0).String(), Assigned: 1, Missed: 1}, rec.Record)
	open, err := f.q.OpenAudits(f.Ctx, &types.QueryOpenAuditsRequest{})
	require.NoError(t, err)
	require.Empty(t, open.Audits)
}

// TestHandlerErrorDoesNotHaltChain: a handler that fails (or panics) has its writes
// discarded; the error is kept on the audit, EventHandlerFailed is emitted, EndBlock and
// the message succeed, and the outcome stands.
func TestHandlerErrorDoesNotHaltChain(t *testing.T) {
	params := types.DefaultParams()
	params.AuditDeadlineBlocks = 3
	for _, mode := range []string{"error", "panic"} {
		t.Run(mode, func(t *testing.T) {
			f := newFixtureWithParams(t, params, 1, 1)
			if mode == "error" {
				f.h.fail = errHandler
			} else {
				f.h.panicWith = "boom"
			}
			missed := f.open(t, "missed", f.op(1))
			passed := f.open(t, "passed", f.op(1))

			f.resetEvents()
			_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: passed})
			require.NoError(t, err, "the pass succeeds even though the handler failed")
			require.True(t, f.hasEvent("EventHandlerFailed"))
			require.Equal(t, types.AUDIT_STATUS_PASSED, f.audit(t, passed).Status)
			require.NotEmpty(t, f.audit(t, passed).HandlerError)

			f.resetEvents()
			f.runTo(t, f.audit(t, missed).DeadlineHeight) // EndBlock returns nil (checked in nextBlock)
			a := f.audit(t, missed)
			require.Equal(t, types.AUDIT_STATUS_MISSED, a.Status)
			if mode == "error" {
				require.Contains(t, a.HandlerError, errHandler.Error())
			} else {
				require.Contains(t, a.HandlerError, "handler panicked: boom")
			}
			require.True(t, f.hasEvent("EventHandlerFailed"))
			require.Len(t, f.h.calls, 2, "handler called once per audit")
			require.True(t, f.Balance(sink, denom).IsZero(), "failed handler's writes discarded")
			require.Equal(t, uint64(1), f.record(t, f.op(0)).Missed)
		})
	}
}

// TestEndBlockBounded: at most max_queue_per_block entries per EndBlock; the rest are
// processed in the next blocks, in (height, id) order.
func TestEndBlockBounded(t *testing.T) {
	params := types.DefaultParams()
	params.AuditDeadlineBlocks = 2
	params.MaxQueuePerBlock = 3
	f := newFixtureWithParams(t, params, 1, 1, 1)
	var ids []uint64
	for i := range 7 {
		ids = append(ids, f.open(t, fmt.Sprintf("s%d", i)))
	}
	deadline := f.audit(t, ids[0]).DeadlineHeight
	countOpen := func() int {
		res, err := f.q.OpenAudits(f.Ctx, &types.QueryOpenAuditsRequest{})
		require.NoError(t, err)
		return len(res.Audits)
	}
	f.runTo(t, deadline-1)
	require.Equal(t, 7, countOpen())
	f.nextBlock(t)
	require.Equal(t, 4, countOpen())
	require.Equal(t, []uint64{1, 2, 3}, []uint64{f.h.calls[0].ID, f.h.calls[1].ID, f.h.calls[2].ID})
	f.nextBlock(t)
	require.Equal(t, 1, countOpen())
	f.nextBlock(t)
	require.Equal(t, 0, countOpen())
	require.Len(t, f.h.calls, 7)
	for _, id := range ids {
		a := f.audit(t, id)
		require.Equal(t, types.AUDIT_STATUS_MISSED, a.Status)
		require.GreaterOrEqual(t, a.DecidedHeight, deadline)
	}
}

// TestPruneAfterRetention: final audits, their votes and index entries are deleted after
// retention_blocks; auditor records stay.
func TestPruneAfterRetention(t *testing.T) {
	params := types.DefaultParams()
	params.VotingWindowBlocks = 4
	params.RetentionBlocks = 5
	f := newFixtureWithParams(t, params, 1, 1, 1)
	id := f.reportBy(t, "s1", 0)
	f.vote(t, 1, id, types.VOTE_OPTION_YES)
	a := f.closeVote(t, id)
	require.Equal(t, types.AUDIT_STATUS_FRAUD, a.Status)
	f.runTo(t, a.PruneHeight-1)
	_, err := f.k.GetAudit(f.Ctx, id)
	require.NoError(t, err)
	f.nextBlock(t)
	_, err = f.k.GetAudit(f.Ctx, id)
	require.ErrorIs(t, err, types.ErrAuditNotFound)
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Empty(t, gs.Audits)
	require.Empty(t, gs.Votes)
	require.NotEmpty(t, gs.AuditorRecords)
	snap := f.snapshot(t)
	require.Empty(t, snap.queue)
	bySubject, err := f.q.AuditsBySubject(f.Ctx, &types.QueryAuditsBySubjectRequest{SubjectModule: subjectModule, SubjectId: "s1"})
	require.NoError(t, err)
	require.Empty(t, bySubject.Audits)
	require.Equal(t, uint64(1), f.record(t, f.op(0)).Upheld)
}

// TestEveryStateExits drives one audit through each path and checks every one ends
// final and then pruned: nothing waits forever.
func TestEveryStateExits(t *testing.T) {
	params := types.DefaultParams()
	params.AuditDeadlineBlocks = 3
	params.VotingWindowBlocks = 3
	params.RetentionBlocks = 2
	f := newFixtureWithParams(t, params, 2, 1)
	passed := f.open(t, "p", f.op(1))
	_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: passed})
	require.NoError(t, err)
	missed := f.open(t, "m")
	fraud := f.reportBy(t, "f", 0)
	cleared := f.reportBy(t, "c", 1)
	f.runTo(t, f.Ctx.BlockHeight()+10)
	require.Len(t, f.h.calls, 4)
	outcomes := map[uint64]types.Outcome{}
	for _, c := range f.h.calls {
		outcomes[c.ID] = c.Outcome
	}
	require.Equal(t, map[uint64]types.Outcome{passed: types.OUTCOME_PASS, missed: types.OUTCOME_MISSED_PASS,
		fraud: types.OUTCOME_FRAUD, cleared: types.OUTCOME_CLEARED}, outcomes)
	snap := f.snapshot(t)
	require.Empty(t, snap.state.Audits, "all pruned")
	require.Empty(t, snap.queue)
}

// TestHandlerOutOfGasFailsTx: out of gas inside the handler is not swallowed: the
// auditor's transaction fails as any transaction out of gas does.
func TestHandlerOutOfGasFailsTx(t *testing.T) {
	f := newFixture(t, 1, 1)
	id := f.open(t, "s1", f.op(1))
	f.h.panicWith = storetypes.ErrorOutOfGas{Descriptor: "test"}
	require.PanicsWithValue(t, storetypes.ErrorOutOfGas{Descriptor: "test"}, func() {
		_, _ = f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: id})
	})
}
