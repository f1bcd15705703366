package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/nodes/types"
)

func TestEligibleNodes(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		f.register(t, op1, id)
	}
	f.atHeight(10)
	for _, id := range []string{"a", "b", "c", "e"} { // d never heartbeats
		require.NoError(t, f.heartbeat(t, op1, id))
	}
	// b serves only small; c is level 3; e is unbonding
	_, err := f.msg.UpdateNode(f.Ctx, &types.MsgUpdateNode{Operator: op1.String(), NodeId: "b", Endpoint: "http://b:1", Spec: spec(),
		MemoryIndexMib: 2_000, Models: []string{"small"}})
	require.NoError(t, err)
	c, _ := f.k.GetNode(f.Ctx, "c")
	c.Level = 3
	require.NoError(t, f.k.Nodes.Set(f.Ctx, "c", c))
	_, err = f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: op1.String(), NodeId: "e"})
	require.NoError(t, err)

	collect := func(model string, minLevel uint32) []string {
		var ids []string
		for n, err := range f.k.EligibleNodes(f.Ctx, model, minLevel) {
			require.NoError(t, err)
			ids = append(ids, n.Id)
		}
		return ids
	}
	require.Equal(t, []string{"a", "b", "c"}, collect("small", 0))
	require.Equal(t, []string{"a", "c"}, collect("medium", 0))
	require.Equal(t, []string{"c"}, collect("medium", 3))
	require.Empty(t, collect("medium", 4))

	// the iterator stops when the caller stops
	var first []string
	for n := range f.k.EligibleNodes(f.Ctx, "small", 0) {
		first = append(first, n.Id)
		break
	}
	require.Equal(t, []string{"a"}, first)

	// an unknown or retired model yields its error
	for _, model := range []string{"nope", "retired"} {
		var errs int
		for _, err := range f.k.EligibleNodes(f.Ctx, model, 0) {
			require.Error(t, err)
			errs++
		}
		require.Equal(t, 1, errs)
		ok, err := f.k.IsEligible(f.Ctx, "a", model, 0)
		require.NoError(t, err)
		require.False(t, ok)
	}
	_, err = f.k.IsEligible(f.Ctx, "zz", "small", 0)
	require.ErrorIs(t, err, types.ErrNodeNotFound)

	// the query agrees and pages
	res, err := f.q.EligibleNodes(f.Ctx, &types.QueryEligibleNodesRequest{ModelId: "small", Pagination: &query.PageRequest{Limit: 2}})
	require.NoError(t, err)
	require.Len(t, res.Nodes, 2)
	require.NotEmpty(t, res.Pagination.NextKey)
	res, err = f.q.EligibleNodes(f.Ctx, &types.QueryEligibleNodesRequest{ModelId: "small", Pagination: &query.PageRequest{Key: res.Pagination.NextKey}})
	require.NoError(t, err)
	require.Equal(t, "c", res.Nodes[0].Id)

	// a model grown beyond a node's memory index (re-registered bigger) excludes it
	m, _ := f.models.GetModel(f.Ctx, "medium")
	m.MemoryMib = 25_000
	require.NoError(t, f.models.Models.Set(f.Ctx, "medium", m))
	require.Empty(t, collect("medium", 0))
}

func TestRecordAPIUnknownNode(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot(t)
	require.ErrorIs(t, f.k.RecordAssignment(f.Ctx, "nope"), types.ErrNodeNotFound)
	require.ErrorIs(t, f.k.RecordPrecommit(f.Ctx, "nope", true), types.ErrNodeNotFound)
	require.ErrorIs(t, f.k.RecordCommit(f.Ctx, "nope", false), types.ErrNodeNotFound)
	require.ErrorIs(t, f.k.RecordValidated(f.Ctx, "nope"), types.ErrNodeNotFound)
	require.ErrorIs(t, f.k.RecordRejected(f.Ctx, "nope"), types.ErrNodeNotFound)
	require.Equal(t, before, f.snapshot(t))

	f.register(t, op1, "n1")
	require.NoError(t, f.k.RecordAssignment(f.Ctx, "n1"))
	require.NoError(t, f.k.RecordPrecommit(f.Ctx, "n1", false))
	require.NoError(t, f.k.RecordCommit(f.Ctx, "n1", true))
	require.NoError(t, f.k.RecordRejected(f.Ctx, "n1"))
	res, err := f.q.CurrentPeriod(f.Ctx, &types.QueryCurrentPeriodRequest{NodeId: "n1"})
	require.NoError(t, err)
	require.Equal(t, types.PeriodStats{Assigned: 1, PrecommitsLate: 1, CommitsOnTime: 1, Rejected: 1}, res.NodeStats)
}
