package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// auditedFourNodeTask runs a redundancy-4, quorum-3 task to VALIDATED with nodes 0-2
// agreeing and node 3 REJECTED (orthogonal), then the block whose draw opens its audit.
func (f *auditFixture) auditedFourNodeTask(t testing.TB) (types.Task, []string, auditstypes.Audit) {
	t.Helper()
	f.addNodes(t, 4, true)
	sid := f.session(t, 4, 3, 1_000)
	id := f.submit(t, sid)
	f.block(t)
	nodes := assigned(f.task(t, id))
	rs := []result{res("Hello!", east...), res("Hello there!", eastNorth...), res("Hi!", east...), res("Buy", north...)}
	for i, n := range nodes {
		require.NoError(t, f.precommit(id, n, rs[i]))
	}
	f.block(t)
	for i, n := range nodes {
		require.NoError(t, f.commit(id, n, rs[i]))
	}
	f.block(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	require.Equal(t, types.ASSIGNMENT_STATUS_REJECTED, task.Assignments[3].Status)
	f.block(t)
	task = f.task(t, id)
	require.Equal(t, types.TASK_AUDIT_STATUS_OPEN, task.AuditStatus)
	a, err := f.audits.GetAudit(f.Ctx, task.AuditId)
	require.NoError(t, err)
	return task, nodes, a
}

func replayScores(task types.Task) []string {
	out := make([]string, len(task.Assignments))
	for i, a := range task.Assignments {
		out[i] = a.ReplayScore
	}
	return out
}

// TestReplayScoresRecordedAndBounded: a pass's "replay:<node>" figures set the replay
// score of paid nodes, in canonical 6-decimal form. An out-of-range or unparsable value, a
// node that was not paid (REJECTED) and a node not on the task are ignored; other figures
// are ignored; the pass still succeeds and changes nothing else (stakes, stats, payments).
func TestReplayScoresRecordedAndBounded(t *testing.T) {
	f := newAuditFixture(t, nil)
	task, nodes, a := f.auditedFourNodeTask(t)
	before := f.nodeState(t)
	figures := []auditstypes.Figure{
		{Name: types.ReplayFigureName(nodes[0]), Value: "0.987654"},
		{Name: types.ReplayFigureName(nodes[1]), Value: "1.5"},       // out of range
		{Name: types.ReplayFigureName(nodes[2]), Value: "0.9x"},      // garbage
		{Name: types.ReplayFigureName(nodes[3]), Value: "0.5"},       // not paid
		{Name: types.ReplayFigureName("node-9999"), Value: "0.5"},    // not on the task
		{Name: "engine", Value: "native"},                            // not a replay figure
		{Name: types.FraudFigureName(nodes[1]), Value: "replay:0.1"}, // a pass punishes nobody
	}
	_, err := f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id, Figures: figures})
	require.NoError(t, err)
	a, err = f.audits.GetAudit(f.Ctx, a.Id)
	require.NoError(t, err)
	require.Equal(t, auditstypes.AUDIT_STATUS_PASSED, a.Status)
	require.Empty(t, a.HandlerError)

	got := f.task(t, task.Id)
	require.Equal(t, types.TASK_AUDIT_STATUS_PASSED, got.AuditStatus)
	require.Equal(t, []string{"0.987654", "", "", ""}, replayScores(got))
	for i, as := range got.Assignments {
		require.Equal(t, task.Assignments[i].Status, as.Status, "statuses unchanged")
	}
	require.Equal(t, task.Paid, got.Paid)
	after := f.nodeState(t)
	require.Equal(t, before.nodes.Nodes, after.nodes.Nodes)
	require.Equal(t, before.nodes.LiveStats, after.nodes.LiveStats)
	require.Equal(t, before.payments, after.payments)
	require.Equal(t, before.balances, after.balances)

	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate(), "recorded scores are valid genesis")
	f.checkAllInvariants(t)
}

// TestReplayScoresBoundaryValues: 0 and 1 are in range and stored as "0.000000" and
// "1.000000"; 1.000001 is not stored.
func TestReplayScoresBoundaryValues(t *testing.T) {
	f := newAuditFixture(t, nil)
	task, nodes, a := f.auditedFourNodeTask(t)
	_, err := f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id, Figures: []auditstypes.Figure{
		{Name: types.ReplayFigureName(nodes[0]), Value: "0"},
		{Name: types.ReplayFigureName(nodes[1]), Value: "1"},
		{Name: types.ReplayFigureName(nodes[2]), Value: "1.000001"},
	}})
	require.NoError(t, err)
	require.Equal(t, []string{"0.000000", "1.000000", "", ""}, replayScores(f.task(t, task.Id)))
}

// TestReplayScoresFromFraudReport: the figures of an upheld fraud report are recorded too,
// before the punishment: the fraudulent node keeps its (low) score next to status FRAUD.
func TestReplayScoresFromFraudReport(t *testing.T) {
	f := newAuditFixture(t, nil)
	task, nodes, a := f.auditedFourNodeTask(t)
	bad := nodes[1]
	_, err := f.auditsMsg.ReportFraud(f.Ctx, &auditstypes.MsgReportFraud{
		Auditor: a.Auditor, AuditId: a.Id, FailedCheck: types.AuditCheckReplay,
		Figures: []auditstypes.Figure{
			{Name: types.FraudFigureName(bad), Value: types.FraudFigureValue(types.AuditCheckReplay, "0.412000")},
			{Name: types.ReplayFigureName(nodes[0]), Value: "0.998"},
			{Name: types.ReplayFigureName(bad), Value: "0.412000"},
			{Name: types.ReplayFigureName(nodes[2]), Value: "-0.1"},
		},
	})
	require.NoError(t, err)
	for _, v := range f.vals {
		if sdk.AccAddress(v).String() == a.Auditor {
			continue
		}
		_, err := f.auditsMsg.VoteFraud(f.Ctx, &auditstypes.MsgVoteFraud{Voter: sdk.AccAddress(v).String(), AuditId: a.Id, Option: auditstypes.VOTE_OPTION_YES})
		require.NoError(t, err)
	}
	a, err = f.audits.GetAudit(f.Ctx, a.Id)
	require.NoError(t, err)
	f.runUntil(t, a.VotingEndHeight)
	a, err = f.audits.GetAudit(f.Ctx, a.Id)
	require.NoError(t, err)
	require.Equal(t, auditstypes.AUDIT_STATUS_FRAUD, a.Status)
	require.Empty(t, a.HandlerError)

	got := f.task(t, task.Id)
	require.Equal(t, types.TASK_AUDIT_STATUS_FRAUD, got.AuditStatus)
	require.Equal(t, types.ASSIGNMENT_STATUS_FRAUD, got.Assignments[1].Status)
	require.Equal(t, []string{"0.998000", "0.412000", "", ""}, replayScores(got))
	f.checkAllInvariants(t)
}

// TestAuditPassFiguresRefusedChangeNothing: a pass whose figures break x/audits' limits
// (too many, too long, duplicate names) is refused; the audit stays open and the task,
// nodes and payments are unchanged.
func TestAuditPassFiguresRefusedChangeNothing(t *testing.T) {
	params := auditstypes.DefaultParams()
	tooMany := make([]auditstypes.Figure, params.MaxFigures+1)
	for i := range tooMany {
		tooMany[i] = auditstypes.Figure{Name: types.ReplayFigureName(fmt.Sprintf("node-%04d", i+1)), Value: "0.5"}
	}
	long := make([]byte, params.MaxFigureBytes+1)
	for i := range long {
		long[i] = '9'
	}
	for name, figures := range map[string][]auditstypes.Figure{
		"too many":  tooMany,
		"too long":  {{Name: types.ReplayFigureName(nodeID(1)), Value: "0." + string(long)}},
		"duplicate": {{Name: types.ReplayFigureName(nodeID(1)), Value: "0.5"}, {Name: types.ReplayFigureName(nodeID(1)), Value: "0.6"}},
	} {
		t.Run(name, func(t *testing.T) {
			f := newAuditFixture(t, nil)
			task, _, a := f.auditedFourNodeTask(t)
			before := f.snapshot(t)
			nBefore := f.nodeState(t)
			_, err := f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id, Figures: figures})
			require.ErrorIs(t, err, auditstypes.ErrInvalidReport)
			require.Equal(t, before, f.snapshot(t))
			require.Equal(t, nBefore, f.nodeState(t))
			a2, err := f.audits.GetAudit(f.Ctx, a.Id)
			require.NoError(t, err)
			require.Equal(t, auditstypes.AUDIT_STATUS_PENDING, a2.Status)
			require.Equal(t, types.TASK_AUDIT_STATUS_OPEN, f.task(t, task.Id).AuditStatus)
		})
	}
}
