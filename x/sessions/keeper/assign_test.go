package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

func withLastBlockHash(f *fixture, b byte) {
	h := f.Ctx.BlockHeader()
	h.LastBlockId = cmtproto.BlockID{Hash: []byte{b, b, b}}
	f.Ctx = f.Ctx.WithBlockHeader(h)
}

// assignMany queues n tasks of redundancy r and returns each task's assigned nodes.
func assignMany(t *testing.T, f *fixture, n int, r uint32) [][]string {
	t.Helper()
	sid := f.session(t, r, 1, int64(n)*int64(r)*price)
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = f.submit(t, sid)
	}
	f.endBlock(t)
	out := make([][]string, n)
	for i, id := range ids {
		out[i] = assigned(f.task(t, id))
	}
	return out
}

// TestAssignmentDeterministic: two independent chains with the same state and block hash
// assign identically; another block hash assigns differently.
func TestAssignmentDeterministic(t *testing.T) {
	run := func(hashByte byte) [][]string {
		f := newFixture(t)
		f.addNodes(t, 12, true)
		withLastBlockHash(f, hashByte)
		return assignMany(t, f, 20, 3)
	}
	a, b, c := run(1), run(1), run(2)
	require.Equal(t, a, b)
	require.NotEqual(t, a, c)
	for _, nodes := range a {
		require.Len(t, nodes, 3)
		require.NotEqual(t, nodes[0], nodes[1])
		require.NotEqual(t, nodes[1], nodes[2])
		require.NotEqual(t, nodes[0], nodes[2])
	}
}

// TestAssignmentPrefersLoadedNodes: with enough warm nodes, cold ones are never picked.
func TestAssignmentPrefersLoadedNodes(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 4, false) // node-0001..0004 cold
	f.addNodes(t, 3, true)  // node-0005..0007 warm
	for _, nodes := range assignMany(t, f, 30, 2) {
		for _, n := range nodes {
			require.Contains(t, []string{nodeID(5), nodeID(6), nodeID(7)}, n)
		}
	}
	// redundancy 5 > 3 warm nodes: the remaining 2 come from cold ones
	for _, nodes := range assignMany(t, f, 5, 5) {
		require.ElementsMatch(t, []string{nodeID(5), nodeID(6), nodeID(7)}, nodes[:3])
	}
	// x/nodes counts warm assignments only for nodes whose heartbeat claimed the model
	var cold uint64
	for i := 1; i <= 7; i++ {
		st := f.nodes.LiveStats(t, f.Base, nodeID(i))
		if i <= 4 {
			require.Zero(t, st.WarmAssigned, "cold %s", nodeID(i))
			cold += st.Assigned
		} else {
			require.Equal(t, st.Assigned, st.WarmAssigned, "warm %s", nodeID(i))
			require.NotZero(t, st.Assigned)
		}
	}
	require.Equal(t, uint64(10), cold, "5 tasks x 2 cold nodes")
}

// TestAssignmentLevelWeighted: a level-10 node (weight 11) is picked about 11 times as
// often as a level-0 node (weight 1); nodes below the session's min level never are.
func TestAssignmentLevelWeighted(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxAssignmentsPerBlock = 1000 })
	f.addNodes(t, 2, true)
	f.nodes.SetLevel(t, f.Base, nodeID(1), 10)
	counts := map[string]int{}
	for _, nodes := range assignMany(t, f, 600, 1) {
		counts[nodes[0]]++
	}
	ratio := float64(counts[nodeID(1)]) / float64(counts[nodeID(2)]) // test-only float
	require.InDelta(t, 11.0, ratio, 4.0, "counts %v", counts)

	// min level 5 excludes node-0002 (level 0)
	f.Fund(t, alice, coins(10*price))
	m := createMsg(1, 1, 10*price)
	m.MinLevel = 5
	r, err := f.msg.CreateSession(f.Ctx, m)
	require.NoError(t, err)
	var ids []uint64
	for range 10 {
		ids = append(ids, f.submit(t, r.SessionId))
	}
	f.endBlock(t)
	for _, id := range ids {
		require.Equal(t, []string{nodeID(1)}, assigned(f.task(t, id)))
	}
}

// TestAssignmentBoundedPerBlock: at most max_assignments_per_block tasks leave the queue
// per block, in FIFO order.
func TestAssignmentBoundedPerBlock(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxAssignmentsPerBlock = 3 })
	f.addNodes(t, 2, true)
	sid := f.session(t, 1, 1, 10*price)
	var ids []uint64
	for range 7 {
		ids = append(ids, f.submit(t, sid))
	}
	f.endBlock(t)
	for i, id := range ids {
		want := types.TASK_STATUS_QUEUED
		if i < 3 {
			want = types.TASK_STATUS_PRECOMMIT
		}
		require.Equal(t, want, f.task(t, id).Status, "task %d", i)
	}
	ql, err := f.q.QueueLength(f.Ctx, &types.QueryQueueLengthRequest{SessionId: sid})
	require.NoError(t, err)
	require.Equal(t, uint64(4), ql.Total)
	require.Equal(t, uint64(4), ql.Session)
	f.checkInvariants(t)
}

// TestUnassignableTasksDoNotBlockTheQueue: tasks for a model nobody serves sit at the
// head of the queue; each failed try sends them to the back, so a later task of a served
// model is assigned in the next block instead of waiting for them to expire.
func TestUnassignableTasksDoNotBlockTheQueue(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxAssignmentsPerBlock = 3 })
	f.nodes.RegisterModel(t, f.Base, "lonely", dim, 1_000)
	f.addNodes(t, 1, true)
	f.Fund(t, alice, coins(5*price))
	m := createMsg(1, 1, 5*price)
	m.ModelId = "lonely"
	r, err := f.msg.CreateSession(f.Ctx, m)
	require.NoError(t, err)
	for range 5 {
		f.submit(t, r.SessionId)
	}
	served := f.session(t, 1, 1, price)
	id := f.submit(t, served)
	f.endBlock(t) // tries lonely 1..3, re-queues them behind
	require.Equal(t, types.TASK_STATUS_QUEUED, f.task(t, id).Status)
	f.endBlock(t) // tries lonely 4, 5 and the served task
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, f.task(t, id).Status)
	require.Equal(t, uint32(5), f.sess(t, r.SessionId).Queued)
	f.checkInvariants(t)
}
