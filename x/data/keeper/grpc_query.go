package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/data/types"
)

type queryServer struct{ k Keeper }

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/data Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

// Target returns one target.
func (q queryServer) Target(ctx context.Context, req *types.QueryTargetRequest) (*types.QueryTargetResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	t, err := q.k.GetTarget(ctx, req.Id)
	if err != nil {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	return &types.QueryTargetResponse{Target: t}, nil
}

// Targets lists targets in id order, filtered by status and/or epoch. With an epoch it
// walks only that epoch's index range.
func (q queryServer) Targets(ctx context.Context, req *types.QueryTargetsRequest) (*types.QueryTargetsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, ok := types.TargetStatus_name[int32(req.Status)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown status %d", req.Status)
	}
	match := func(t types.Target) bool {
		return req.Status == types.TARGET_STATUS_UNSPECIFIED || t.Status == req.Status
	}
	if req.Epoch != 0 {
		out, page, err := query.CollectionFilteredPaginate(ctx, q.k.ByEpoch, req.Pagination,
			func(key collections.Pair[int64, uint64], _ collections.NoValue) (bool, error) {
				t, err := q.k.GetTarget(ctx, key.K2())
				return err == nil && match(t), err
			},
			func(key collections.Pair[int64, uint64], _ collections.NoValue) (types.Target, error) {
				return q.k.GetTarget(ctx, key.K2())
			},
			query.WithCollectionPaginationPairPrefix[int64, uint64](req.Epoch),
		)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		return &types.QueryTargetsResponse{Targets: out, Pagination: page}, nil
	}
	out, page, err := query.CollectionFilteredPaginate(ctx, q.k.Targets, req.Pagination,
		func(_ uint64, t types.Target) (bool, error) { return match(t), nil },
		func(_ uint64, t types.Target) (types.Target, error) { return t, nil },
	)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryTargetsResponse{Targets: out, Pagination: page}, nil
}

// Submission returns the submission that filled a target.
func (q queryServer) Submission(ctx context.Context, req *types.QuerySubmissionRequest) (*types.QuerySubmissionResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	s, err := q.k.Submissions.Get(ctx, req.TargetId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no submission for target %d", req.TargetId)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QuerySubmissionResponse{Submission: s}, nil
}

// Pool returns the accounting, the epoch state and the module account balance.
func (q queryServer) Pool(ctx context.Context, _ *types.QueryPoolRequest) (*types.QueryPoolResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	acc, err := q.k.Accounting.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	es, err := q.k.Epoch.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	bal := q.k.bank.GetBalance(ctx, q.k.ModuleAddress(), p.Denom)
	return &types.QueryPoolResponse{Accounting: acc, Epoch: es, Balance: bal.String()}, nil
}

// Params returns the module params.
func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
