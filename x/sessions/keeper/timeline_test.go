package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/types"
)

// TestThreeBlockPath pins the protocol's floor (issue 20): a task submitted in block H is
// assigned in H's EndBlock, its nodes precommit in H+1 (the last precommit opens the
// commit phase inside that block), reveal in H+2, and the task is validated with its
// receipt by the end of H+2 — three blocks counting the submit's. A later phase may not
// start early: a commit in the precommit block before every precommit is refused.
func TestThreeBlockPath(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)

	h := f.Ctx.BlockHeight()
	id := f.submit(t, sid)
	require.Equal(t, h, f.task(t, id).SubmittedHeight)
	f.endBlock(t) // EndBlock of H: assignment

	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, task.Status)
	require.Equal(t, h, task.AssignedHeight, "assigned in the EndBlock of the submit's block")
	nodes := assigned(task)
	require.Len(t, nodes, 3)
	for _, a := range task.Assignments {
		require.Equal(t, h, a.AssignedHeight)
	}

	// H+1: every node precommits; this block's EndBlock opens the commit phase and
	// announces it with the block's other task events.
	require.Equal(t, h+1, f.Ctx.BlockHeight())
	r := res("Hello!", east...)
	for _, n := range nodes {
		require.NoError(t, f.precommit(id, n, r))
		require.ErrorIs(t, f.commit(id, n, r), types.ErrWrongPhase, "no reveal in the block of the precommits")
	}
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, f.task(t, id).Status)
	require.False(t, f.hasEvent("cortd.sessions.v1.EventCommitPhase"))
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_COMMIT, f.task(t, id).Status)
	require.True(t, f.hasEvent("cortd.sessions.v1.EventCommitPhase"))

	// H+2: every node reveals; the task ends validated, with its receipt, in this block.
	require.Equal(t, h+2, f.Ctx.BlockHeight())
	for _, n := range nodes {
		require.NoError(t, f.commit(id, n, r))
	}
	f.endBlock(t)

	task = f.task(t, id)
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	require.Equal(t, h+2, task.EndedHeight, "validated in the third block counting the submit's")
	require.NotEmpty(t, task.ResultSha256, "the receipt")
	for _, a := range task.Assignments {
		require.Equal(t, h+1, a.PrecommitHeight, "node %s", a.NodeId)
		require.Equal(t, h+2, a.CommitHeight, "node %s", a.NodeId)
		require.Equal(t, types.ASSIGNMENT_STATUS_VALIDATED, a.Status)
	}
}
