package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/nodes/types"
)

func TestQueries(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "a")
	f.register(t, op2, "b")
	f.register(t, op1, "c")

	_, err := f.q.Node(f.Ctx, &types.QueryNodeRequest{NodeId: "zz"})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = f.q.Node(f.Ctx, &types.QueryNodeRequest{NodeId: "bad id"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = f.q.Node(f.Ctx, nil)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	res, err := f.q.Node(f.Ctx, &types.QueryNodeRequest{NodeId: "a"})
	require.NoError(t, err)
	require.True(t, res.Inactive, "no heartbeat yet")

	page, err := f.q.Nodes(f.Ctx, &types.QueryNodesRequest{Pagination: &query.PageRequest{Limit: 2, CountTotal: true}})
	require.NoError(t, err)
	require.Len(t, page.Nodes, 2)
	require.Equal(t, uint64(3), page.Pagination.Total)

	byOp, err := f.q.NodesByOperator(f.Ctx, &types.QueryNodesByOperatorRequest{Operator: op1.String()})
	require.NoError(t, err)
	require.Equal(t, "a", byOp.Nodes[0].Id)
	require.Equal(t, "c", byOp.Nodes[1].Id)
	_, err = f.q.NodesByOperator(f.Ctx, &types.QueryNodesByOperatorRequest{Operator: "x"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	pools, err := f.q.Pools(f.Ctx, &types.QueryPoolsRequest{})
	require.NoError(t, err)
	require.Equal(t, uint32(3), pools.Pools[0].Id)
	require.Equal(t, minStake, pools.Pools[0].MinStake.Int64())

	_, err = f.q.NodePeriods(f.Ctx, &types.QueryNodePeriodsRequest{NodeId: "zz"})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = f.q.EligibleNodes(f.Ctx, &types.QueryEligibleNodesRequest{ModelId: "nope"})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = f.q.CurrentPeriod(f.Ctx, &types.QueryCurrentPeriodRequest{NodeId: "zz"})
	require.Equal(t, codes.NotFound, status.Code(err))
}
