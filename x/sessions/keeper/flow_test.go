package keeper_test

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/types"
)

// TestTaskValidatedAndPaid drives a task through every state to VALIDATED: two honest
// results and one outlier with redundancy 3, quorum 2. The honest nodes' operators are
// paid, the outlier's share returns to the session, and no ucor is created or lost.
func TestTaskValidatedAndPaid(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	minted := int64(1_000)

	id := f.submit(t, sid)
	require.Equal(t, types.TASK_STATUS_QUEUED, f.task(t, id).Status)
	require.Equal(t, int64(700), f.escrow(t, sid).Free.Int64())
	require.Equal(t, int64(300), f.escrow(t, sid).Reserved.Int64())
	f.checkInvariants(t)

	f.endBlock(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, task.Status)
	require.True(t, f.hasEvent("cortd.sessions.v1.EventTaskAssigned"))
	nodes := assigned(task)
	require.Len(t, nodes, 3)
	require.ElementsMatch(t, []string{nodeID(1), nodeID(2), nodeID(3)}, nodes)
	q, err := f.q.NodeAssignments(f.Ctx, &types.QueryNodeAssignmentsRequest{NodeId: nodes[0]})
	require.NoError(t, err)
	require.Len(t, q.Tasks, 1)
	require.Equal(t, uint32(1), f.sess(t, sid).Running)

	results := []result{res("Hello!", east...), res("Hello there!", eastNorth...), res("Buy tokens", north...)}
	for i, n := range nodes {
		require.NoError(t, f.precommit(id, n, results[i]))
		require.Equal(t, types.TASK_STATUS_PRECOMMIT, f.task(t, id).Status, "reveals wait for the block's EndBlock")
		require.ErrorIs(t, f.commit(id, n, results[i]), types.ErrWrongPhase)
	}
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_COMMIT, f.task(t, id).Status)
	for i, n := range nodes {
		require.NoError(t, f.commit(id, n, results[i]))
	}
	f.checkInvariants(t)
	f.endBlock(t)

	task = f.task(t, id)
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	// eastNorth lies between east and north, so its distance sum is the least
	require.Equal(t, nodes[1], task.ConsensusNode, "the medoid of {east, eastNorth, north} is eastNorth")
	require.Equal(t, "Hello there!", task.ResultText)
	sum := sha256.Sum256([]byte("Hello there!"))
	require.Equal(t, sum[:], task.ResultSha256)
	require.Equal(t, types.ASSIGNMENT_STATUS_VALIDATED, task.Assignments[0].Status)
	require.Equal(t, types.ASSIGNMENT_STATUS_VALIDATED, task.Assignments[1].Status)
	require.Equal(t, types.ASSIGNMENT_STATUS_REJECTED, task.Assignments[2].Status)
	require.Equal(t, int64(200), task.Paid.Int64())
	require.True(t, f.hasEvent("cortd.sessions.v1.EventTaskEnded"))

	// money: 200 to the two honest operators' pending payments, 100 back to free
	require.Equal(t, price, f.pending(t, opOf(nodes[0])))
	require.Equal(t, price, f.pending(t, opOf(nodes[1])))
	require.Equal(t, int64(0), f.pending(t, opOf(nodes[2])))
	b := f.escrow(t, sid)
	require.Equal(t, int64(800), b.Free.Int64())
	require.True(t, b.Reserved.IsZero())
	require.Equal(t, int64(200), b.Paid.Int64())

	// stats in x/nodes
	st := f.nodes.LiveStats(t, f.Base, nodes[0])
	require.Equal(t, uint64(1), st.Assigned)
	require.Equal(t, uint64(1), st.WarmAssigned, "its heartbeat claimed the model loaded")
	require.Equal(t, uint64(1), st.PrecommitsOnTime)
	require.Equal(t, uint64(1), st.CommitsOnTime)
	require.Equal(t, uint64(1), st.Validated)
	require.Equal(t, uint64(1), f.nodes.LiveStats(t, f.Base, nodes[2]).Rejected)
	q, err = f.q.NodeAssignments(f.Ctx, &types.QueryNodeAssignmentsRequest{NodeId: nodes[0]})
	require.NoError(t, err)
	require.Empty(t, q.Tasks, "an ended task is no longer polled")
	s := f.sess(t, sid)
	require.Equal(t, uint32(0), s.Running+s.Queued)
	require.Equal(t, uint64(1), s.TasksValidated)
	f.checkInvariants(t)

	// close: refund; then operators withdraw. Every minted ucor is accounted for.
	cl, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
	require.NoError(t, err)
	require.True(t, cl.Closed)
	require.Equal(t, int64(800), cl.Refunded.Int64())
	require.Equal(t, int64(800), f.Balance(alice, "ucor").Amount.Int64())
	total := f.Balance(alice, denom).Amount.Int64() + f.moduleBalance().Amount.Int64()
	require.Equal(t, minted, total, "no ucor created or lost")
	require.Equal(t, int64(200), f.moduleBalance().Amount.Int64(), "the module holds exactly the pending payments")
	f.checkInvariants(t)

	// pruning after retention
	for range testParams().RetentionBlocks + 1 {
		f.endBlock(t)
	}
	task = f.task(t, id)
	require.True(t, task.Pruned)
	require.Empty(t, task.ResultText)
	require.Empty(t, task.Prompt)
	require.Empty(t, task.Assignments[0].Embedding)
	require.Equal(t, sum[:], task.ResultSha256, "the receipt hash stays")
	require.NotEmpty(t, task.Assignments[1].ResultSha256)
	require.NotEmpty(t, task.Assignments[1].PrecommitHash)
}

// TestTaskExpiresInQueue: no eligible node within queue_timeout_blocks → EXPIRED, the
// whole reservation returns to free.
func TestTaskExpiresInQueue(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 1, true) // redundancy 2 needs two nodes
	sid := f.session(t, 2, 1, 1_000)
	id := f.submit(t, sid)
	for range testParams().QueueTimeoutBlocks {
		f.endBlock(t)
		require.Equal(t, types.TASK_STATUS_QUEUED, f.task(t, id).Status)
	}
	f.endBlock(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_EXPIRED, task.Status)
	require.Equal(t, int64(1_000), f.escrow(t, sid).Free.Int64())
	require.True(t, f.escrow(t, sid).Reserved.IsZero())
	require.Equal(t, uint64(1), f.sess(t, sid).TasksExpired)
	require.Equal(t, int64(1_000), f.moduleBalance().Amount.Int64())
	ql, err := f.q.QueueLength(f.Ctx, &types.QueryQueueLengthRequest{SessionId: sid})
	require.NoError(t, err)
	require.Zero(t, ql.Total)
	f.checkInvariants(t)
}

// TestTaskFailsWithoutQuorum: three mutually orthogonal results, quorum 2 → FAILED,
// nobody paid, the reservation returns.
func TestTaskFailsWithoutQuorum(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 300)
	id, nodes := f.assignOne(t, sid)
	rs := []result{res("a", east...), res("b", north...), res("c", 0, 0, 1_000_000, 0)}
	for i, n := range nodes {
		require.NoError(t, f.precommit(id, n, rs[i]))
	}
	f.endBlock(t)
	for i, n := range nodes {
		require.NoError(t, f.commit(id, n, rs[i]))
	}
	f.endBlock(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_FAILED, task.Status)
	require.Empty(t, task.ConsensusNode)
	require.True(t, task.Paid.IsZero())
	for i := range nodes {
		require.Zero(t, f.pending(t, opOf(nodes[i])))
	}
	require.Equal(t, int64(300), f.escrow(t, sid).Free.Int64())
	require.Equal(t, uint64(1), f.sess(t, sid).TasksFailed)
	f.checkInvariants(t)
}

// TestCommitWindowClosesWithPartialReveals: one precommitted node never reveals; the two
// that did agree and meet quorum 2.
func TestCommitWindowClosesWithPartialReveals(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 300)
	id, nodes := f.assignOne(t, sid)
	rs := []result{res("a", east...), res("b", eastNorth...), res("c", east...)}
	for i, n := range nodes {
		require.NoError(t, f.precommit(id, n, rs[i]))
	}
	f.endBlock(t)
	require.NoError(t, f.commit(id, nodes[0], rs[0]))
	require.NoError(t, f.commit(id, nodes[1], rs[1]))
	deadline := f.task(t, id).Deadline
	for f.Ctx.BlockHeight() <= deadline {
		f.endBlock(t)
	}
	require.ErrorIs(t, f.commit(id, nodes[2], rs[2]), types.ErrLate)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	require.Equal(t, types.ASSIGNMENT_STATUS_MISSED_COMMIT, task.Assignments[2].Status)
	require.Equal(t, int64(100), f.escrow(t, sid).Free.Int64(), "the silent node's share returns")
	f.checkInvariants(t)
}

// TestReassignmentThenValidated: a node that misses the precommit window is replaced by
// another eligible node, which completes the task.
func TestReassignmentThenValidated(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 2, 2, 200)
	id, nodes := f.assignOne(t, sid)
	require.NoError(t, f.precommit(id, nodes[0], res("a", east...)))
	deadline := f.task(t, id).Deadline
	for f.Ctx.BlockHeight() <= deadline {
		f.endBlock(t)
	}
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, task.Status)
	require.Len(t, task.Assignments, 3)
	require.Equal(t, types.ASSIGNMENT_STATUS_MISSED_PRECOMMIT, task.Assignments[1].Status)
	require.Equal(t, uint32(1), task.Reassignments)
	repl := task.Assignments[2].NodeId
	require.NotContains(t, nodes, repl, "never the same node twice on a task")
	require.ErrorIs(t, f.precommit(id, nodes[1], res("late", east...)), types.ErrLate, "late precommit")

	require.NoError(t, f.precommit(id, repl, res("b", eastNorth...)))
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_COMMIT, f.task(t, id).Status)
	require.ErrorIs(t, f.commit(id, nodes[1], res("late", east...)), types.ErrNoPrecommit, "commit without precommit")
	require.NoError(t, f.commit(id, nodes[0], res("a", east...)))
	require.NoError(t, f.commit(id, repl, res("b", eastNorth...)))
	f.endBlock(t)
	task = f.task(t, id)
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	require.Equal(t, price, f.pending(t, opOf(repl)))
	require.Zero(t, f.pending(t, opOf(nodes[1])))
	require.Equal(t, uint64(1), f.nodes.LiveStats(t, f.Base, nodes[1]).Assigned)
	require.Zero(t, f.nodes.LiveStats(t, f.Base, nodes[1]).PrecommitsOnTime)
	f.checkInvariants(t)
}

// TestReassignmentLimitReached: nodes keep missing; after max_reassignments replacements
// the task ends ABANDONED, nobody is paid, the reservation returns.
func TestReassignmentLimitReached(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 6, true)
	sid := f.session(t, 2, 2, 200)
	id, _ := f.assignOne(t, sid)
	for round := 0; round < 10 && !f.task(t, id).Status.Terminal(); round++ {
		deadline := f.task(t, id).Deadline
		for f.Ctx.BlockHeight() <= deadline {
			f.endBlock(t)
		}
	}
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_ABANDONED, task.Status)
	require.Equal(t, testParams().MaxReassignments, task.Reassignments)
	require.Len(t, task.Assignments, 2+int(testParams().MaxReassignments))
	require.Equal(t, int64(200), f.escrow(t, sid).Free.Int64())
	require.Equal(t, int64(200), f.moduleBalance().Amount.Int64())
	f.checkInvariants(t)
}

// TestCloseWithTasksInFlight: closing with a task in flight leaves the session CLOSING
// (no new tasks, no deposits); the refund follows when the task ends.
func TestCloseWithTasksInFlight(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 1, true)
	sid := f.session(t, 1, 1, 500)
	id, nodes := f.assignOne(t, sid)

	before := f.snapshot(t)
	_, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: stranger.String(), SessionId: sid})
	require.ErrorIs(t, err, types.ErrNotOwner, "close by a stranger")
	require.Equal(t, before, f.snapshot(t))

	cl, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
	require.NoError(t, err)
	require.False(t, cl.Closed)
	require.Equal(t, types.SESSION_STATUS_CLOSING, f.sess(t, sid).Status)
	require.Zero(t, f.Balance(alice, denom).Amount.Int64(), "nothing refunded while in flight")

	before = f.snapshot(t)
	_, err = f.msg.SubmitTask(f.Ctx, submitMsg(sid))
	require.ErrorIs(t, err, types.ErrSessionNotActive)
	_, err = f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
	require.ErrorIs(t, err, types.ErrSessionNotActive)
	require.Equal(t, before, f.snapshot(t))

	require.NoError(t, f.precommit(id, nodes[0], res("a", east...)))
	f.endBlock(t)
	require.NoError(t, f.commit(id, nodes[0], res("a", east...)))
	f.endBlock(t)
	require.Equal(t, types.SESSION_STATUS_CLOSED, f.sess(t, sid).Status)
	require.Equal(t, int64(400), f.Balance(alice, denom).Amount.Int64(), "500 - 100 paid")
	require.Equal(t, price, f.pending(t, opAddr(1)))
	f.checkInvariants(t)
}
