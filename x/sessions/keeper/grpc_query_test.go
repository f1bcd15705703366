package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/sessions/keeper"
	"github.com/cortnet/cortd/x/sessions/types"
)

func TestQueries(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 1, true)
	s1 := f.session(t, 1, 1, 10*price)
	s2 := f.session(t, 1, 1, 10*price)
	var ids []uint64
	for range 5 {
		ids = append(ids, f.submit(t, s1))
	}
	f.submit(t, s2)

	owned, err := f.q.SessionsByOwner(f.Ctx, &types.QuerySessionsByOwnerRequest{Owner: alice.String()})
	require.NoError(t, err)
	require.Len(t, owned.Sessions, 2)
	require.Equal(t, s1, owned.Sessions[0].Id)
	none, err := f.q.SessionsByOwner(f.Ctx, &types.QuerySessionsByOwnerRequest{Owner: stranger.String()})
	require.NoError(t, err)
	require.Empty(t, none.Sessions)

	page, err := f.q.TasksBySession(f.Ctx, &types.QueryTasksBySessionRequest{SessionId: s1, Pagination: &query.PageRequest{Limit: 2, CountTotal: true}})
	require.NoError(t, err)
	require.Len(t, page.Tasks, 2)
	require.Equal(t, ids[:2], []uint64{page.Tasks[0].Id, page.Tasks[1].Id})
	require.Equal(t, uint64(5), page.Pagination.Total)
	page, err = f.q.TasksBySession(f.Ctx, &types.QueryTasksBySessionRequest{SessionId: s1, Pagination: &query.PageRequest{Key: page.Pagination.NextKey, Limit: 10}})
	require.NoError(t, err)
	require.Len(t, page.Tasks, 3)

	ql, err := f.q.QueueLength(f.Ctx, &types.QueryQueueLengthRequest{SessionId: s1})
	require.NoError(t, err)
	require.Equal(t, uint64(6), ql.Total)
	require.Equal(t, uint64(5), ql.Session)

	f.endBlock(t)
	na, err := f.q.NodeAssignments(f.Ctx, &types.QueryNodeAssignmentsRequest{NodeId: nodeID(1)})
	require.NoError(t, err)
	require.Len(t, na.Tasks, 6, "one node, redundancy 1: every task")
	require.Equal(t, "Say hello.", na.Tasks[0].Prompt)

	s, err := f.q.Session(f.Ctx, &types.QuerySessionRequest{SessionId: s1})
	require.NoError(t, err)
	require.Equal(t, uint32(5), s.Session.Running)

	_, err = f.q.Session(f.Ctx, &types.QuerySessionRequest{SessionId: 99})
	require.Error(t, err)
	_, err = f.q.Task(f.Ctx, &types.QueryTaskRequest{TaskId: 99})
	require.Error(t, err)
	_, err = f.q.NodeAssignments(f.Ctx, &types.QueryNodeAssignmentsRequest{})
	require.Error(t, err)
	p, err := f.q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, testParams(), p.Params)
}

// TestTasksQuery: several tasks in one read, in the order asked, with the ids not in
// state listed apart; empty, oversized and repeated id lists are refused.
func TestTasksQuery(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 1, true)
	sid := f.session(t, 1, 1, 10*price)
	a, b := f.submit(t, sid), f.submit(t, sid)

	res, err := f.q.Tasks(f.Ctx, &types.QueryTasksRequest{TaskIds: []uint64{b, 99, a}})
	require.NoError(t, err)
	require.Len(t, res.Tasks, 2)
	require.Equal(t, []uint64{b, a}, []uint64{res.Tasks[0].Id, res.Tasks[1].Id})
	require.Equal(t, []uint64{99}, res.Missing)
	one, err := f.q.Task(f.Ctx, &types.QueryTaskRequest{TaskId: a})
	require.NoError(t, err)
	require.Equal(t, one.Task, res.Tasks[1], "the same record as the Task query")

	_, err = f.q.Tasks(f.Ctx, &types.QueryTasksRequest{})
	require.ErrorContains(t, err, "task_ids required")
	_, err = f.q.Tasks(f.Ctx, nil)
	require.Error(t, err)
	_, err = f.q.Tasks(f.Ctx, &types.QueryTasksRequest{TaskIds: []uint64{a, b, a}})
	require.ErrorContains(t, err, "asked twice")
	many := make([]uint64, keeper.MaxTasksPerQuery+1)
	for i := range many {
		many[i] = uint64(i + 1)
	}
	_, err = f.q.Tasks(f.Ctx, &types.QueryTasksRequest{TaskIds: many})
	require.ErrorContains(t, err, "at most 1000")
	res, err = f.q.Tasks(f.Ctx, &types.QueryTasksRequest{TaskIds: many[:keeper.MaxTasksPerQuery]})
	require.NoError(t, err)
	require.Len(t, res.Tasks, 2)
	require.Len(t, res.Missing, keeper.MaxTasksPerQuery-2)
}
