package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	modelstypes "github.com/cortnet/cortd/x/models/types"
	"github.com/cortnet/cortd/x/nodes/types"
)

type queryServer struct {
	Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/nodes Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{Keeper: k}
}

func (q queryServer) params(ctx context.Context) (types.Params, error) {
	p, err := q.Keeper.Params.Get(ctx)
	if err != nil {
		return p, status.Error(codes.Internal, err.Error())
	}
	return p, nil
}

func (q queryServer) node(ctx context.Context, id string) (types.Node, error) {
	if err := types.ValidateNodeID(id); err != nil {
		return types.Node{}, status.Error(codes.InvalidArgument, err.Error())
	}
	n, err := q.GetNode(ctx, id)
	if err != nil {
		return n, status.Error(codes.NotFound, err.Error())
	}
	return n, nil
}

// Node returns one node and whether it is inactive from missed heartbeats.
func (q queryServer) Node(ctx context.Context, req *types.QueryNodeRequest) (*types.QueryNodeResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	n, err := q.node(ctx, req.NodeId)
	if err != nil {
		return nil, err
	}
	p, err := q.params(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryNodeResponse{Node: n, Inactive: Inactive(p, n, sdk.UnwrapSDKContext(ctx).BlockHeight())}, nil
}

// Nodes lists all nodes in id order.
func (q queryServer) Nodes(ctx context.Context, req *types.QueryNodesRequest) (*types.QueryNodesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	nodes, page, err := query.CollectionPaginate(ctx, q.Keeper.Nodes, req.Pagination,
		func(_ string, n types.Node) (types.Node, error) { return n, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryNodesResponse{Nodes: nodes, Pagination: page}, nil
}

// NodesByOperator pages over the operator index.
func (q queryServer) NodesByOperator(ctx context.Context, req *types.QueryNodesByOperatorRequest) (*types.QueryNodesByOperatorResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := sdk.AccAddressFromBech32(req.Operator); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	nodes, page, err := query.CollectionPaginate(ctx, q.Keeper.NodesByOperator, req.Pagination,
		func(key collections.Pair[string, string], _ collections.NoValue) (types.Node, error) {
			return q.Keeper.Nodes.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[string, string](req.Operator))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryNodesByOperatorResponse{Nodes: nodes, Pagination: page}, nil
}

// EligibleNodes pages over the nodes serving the model, keeping those eligible now.
func (q queryServer) EligibleNodes(ctx context.Context, req *types.QueryEligibleNodesRequest) (*types.QueryEligibleNodesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := modelstypes.ValidateID(req.ModelId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	model, err := q.models.GetActiveModel(ctx, req.ModelId)
	if err != nil {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	p, err := q.params(ctx)
	if err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	nodes, page, err := query.CollectionFilteredPaginate(ctx, q.NodesByModel, req.Pagination,
		func(key collections.Pair[string, string], _ collections.NoValue) (bool, error) {
			n, err := q.Keeper.Nodes.Get(ctx, key.K2())
			if err != nil {
				return false, err
			}
			return n.Level >= req.MinLevel && model.MemoryMib <= n.MemoryIndexMib && available(p, n, height), nil
		},
		func(key collections.Pair[string, string], _ collections.NoValue) (types.Node, error) {
			return q.Keeper.Nodes.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[string, string](req.ModelId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryEligibleNodesResponse{Nodes: nodes, Pagination: page}, nil
}

// records pages over a node's settled periods in period order (reverse for newest first).
func (q queryServer) records(ctx context.Context, nodeID string, pr *query.PageRequest) ([]types.PeriodRecord, *query.PageResponse, error) {
	if _, err := q.node(ctx, nodeID); err != nil {
		return nil, nil, err
	}
	recs, page, err := query.CollectionPaginate(ctx, q.Keeper.Records, pr,
		func(_ collections.Pair[string, uint64], r types.PeriodRecord) (types.PeriodRecord, error) {
			return r, nil
		},
		query.WithCollectionPaginationPairPrefix[string, uint64](nodeID))
	if err != nil {
		return nil, nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return recs, page, nil
}

// NodePeriods returns settled period records (stats, scores, level, reward).
func (q queryServer) NodePeriods(ctx context.Context, req *types.QueryNodePeriodsRequest) (*types.QueryNodePeriodsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	recs, page, err := q.records(ctx, req.NodeId, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &types.QueryNodePeriodsResponse{Records: recs, Pagination: page}, nil
}

// LevelHistory returns the level and reputation after each settled period.
func (q queryServer) LevelHistory(ctx context.Context, req *types.QueryLevelHistoryRequest) (*types.QueryLevelHistoryResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	n, err := q.node(ctx, req.NodeId)
	if err != nil {
		return nil, err
	}
	recs, page, err := q.records(ctx, req.NodeId, req.Pagination)
	if err != nil {
		return nil, err
	}
	res := &types.QueryLevelHistoryResponse{Level: n.Level, Reputation: n.Reputation, History: make([]types.LevelEntry, 0, len(recs)), Pagination: page}
	for _, r := range recs {
		res.History = append(res.History, types.LevelEntry{
			Period: r.Period, LevelBefore: r.LevelBefore, LevelAfter: r.LevelAfter, TotalScore: r.TotalScore, Reputation: r.Reputation,
		})
	}
	return res, nil
}

// CurrentPeriod returns the open period, settlements in progress and a node's live counters.
func (q queryServer) CurrentPeriod(ctx context.Context, req *types.QueryCurrentPeriodRequest) (*types.QueryCurrentPeriodResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	period, err := q.Period.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	res := &types.QueryCurrentPeriodResponse{Period: period, Settlements: []types.Settlement{}}
	if err := q.Settlements.Walk(ctx, nil, func(_ uint64, s types.Settlement) (bool, error) {
		res.Settlements = append(res.Settlements, s)
		return false, nil
	}); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if req.NodeId != "" {
		if _, err := q.node(ctx, req.NodeId); err != nil {
			return nil, err
		}
		st, err := q.LiveStats.Get(ctx, collections.Join(period.Number, req.NodeId))
		if err != nil && !errors.Is(err, collections.ErrNotFound) {
			return nil, status.Error(codes.Internal, err.Error())
		}
		res.NodeStats = st
	}
	return res, nil
}

// Operator returns an operator's roles and bonded node count (empty for unknown operators).
func (q queryServer) Operator(ctx context.Context, req *types.QueryOperatorRequest) (*types.QueryOperatorResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := sdk.AccAddressFromBech32(req.Operator); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	op, err := q.getOperator(ctx, req.Operator)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryOperatorResponse{Operator: op}, nil
}

// Pools returns the staking pools.
func (q queryServer) Pools(ctx context.Context, _ *types.QueryPoolsRequest) (*types.QueryPoolsResponse, error) {
	p, err := q.params(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryPoolsResponse{Pools: p.Pools}, nil
}

// RewardsPool returns the rewards pool balance.
func (q queryServer) RewardsPool(ctx context.Context, _ *types.QueryRewardsPoolRequest) (*types.QueryRewardsPoolResponse, error) {
	p, err := q.params(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryRewardsPoolResponse{Balance: q.rewardsPoolBalance(ctx, p.Denom)}, nil
}

// Params returns the module params.
func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.params(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
