package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/types"
)

// passDeadline runs blocks until the task's current deadline has been processed.
func (f *fixture) passDeadline(t *testing.T, id uint64) {
	t.Helper()
	deadline := f.task(t, id).Deadline
	for f.Ctx.BlockHeight() <= deadline {
		f.endBlock(t)
	}
}

// TestPrecommitDeadlineNoReplacementQuorumMet: no other node exists, one of three is
// silent; the two precommits meet quorum 2, so the commit phase opens without it.
func TestPrecommitDeadlineNoReplacementQuorumMet(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 300)
	id, nodes := f.assignOne(t, sid)
	require.NoError(t, f.precommit(id, nodes[0], res("a", east...)))
	require.NoError(t, f.precommit(id, nodes[1], res("b", eastNorth...)))
	f.passDeadline(t, id)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_COMMIT, task.Status)
	require.Zero(t, task.Reassignments, "no eligible node left to replace it")
	require.Equal(t, types.ASSIGNMENT_STATUS_MISSED_PRECOMMIT, task.Assignments[2].Status)
	require.NoError(t, f.commit(id, nodes[0], res("a", east...)))
	require.NoError(t, f.commit(id, nodes[1], res("b", eastNorth...)))
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_VALIDATED, f.task(t, id).Status)
	require.Equal(t, int64(100), f.escrow(t, sid).Free.Int64(), "the silent node's share returns")
	f.checkInvariants(t)
}

// TestPrecommitDeadlineNoReplacementQuorumMissed: two nodes, one silent, quorum 2 and no
// replacement → ABANDONED without waiting for reassignment rounds.
func TestPrecommitDeadlineNoReplacementQuorumMissed(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 2, 200)
	id, nodes := f.assignOne(t, sid)
	require.NoError(t, f.precommit(id, nodes[0], res("a", east...)))
	f.passDeadline(t, id)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_ABANDONED, task.Status)
	require.Zero(t, task.Reassignments)
	require.Equal(t, int64(200), f.escrow(t, sid).Free.Int64())
	require.Zero(t, f.pending(t, opOf(nodes[0])), "a precommit alone earns nothing")
	f.checkInvariants(t)
}

// TestNobodyPrecommits: every node silent and replacements exhausted → ABANDONED; the
// commit window is never opened.
func TestNobodyPrecommits(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxReassignments = 0 })
	f.addNodes(t, 3, true)
	sid := f.session(t, 2, 1, 200)
	id, _ := f.assignOne(t, sid)
	f.passDeadline(t, id)
	require.Equal(t, types.TASK_STATUS_ABANDONED, f.task(t, id).Status)
	require.Equal(t, int64(200), f.escrow(t, sid).Free.Int64())
	f.checkInvariants(t)
}
