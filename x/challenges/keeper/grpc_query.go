package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/challenges/types"
)

type queryServer struct {
	Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/challenges Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{Keeper: k} }

var errEmpty = status.Error(codes.InvalidArgument, "empty request")

// Challenge returns one challenge.
func (q queryServer) Challenge(ctx context.Context, req *types.QueryChallengeRequest) (*types.QueryChallengeResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	c, err := q.GetChallenge(ctx, req.Id)
	if errors.Is(err, types.ErrChallengeNotFound) {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryChallengeResponse{Challenge: c}, nil
}

// Challenges lists challenges in id order, filtered by status and/or poster.
func (q queryServer) Challenges(ctx context.Context, req *types.QueryChallengesRequest) (*types.QueryChallengesResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	if req.Poster != "" {
		if _, err := sdk.AccAddressFromBech32(req.Poster); err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
	}
	out, page, err := query.CollectionFilteredPaginate(ctx, q.Keeper.Challenges, req.Pagination,
		func(_ uint64, c types.Challenge) (bool, error) {
			return (req.Status == types.CHALLENGE_STATUS_UNSPECIFIED || c.Status == req.Status) &&
				(req.Poster == "" || c.Poster == req.Poster), nil
		},
		func(_ uint64, c types.Challenge) (types.Challenge, error) { return c, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryChallengesResponse{Challenges: out, Pagination: page}, nil
}

// Answers lists a challenge's answers in node id order.
func (q queryServer) Answers(ctx context.Context, req *types.QueryAnswersRequest) (*types.QueryAnswersResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	out, page, err := query.CollectionPaginate(ctx, q.Keeper.Answers, req.Pagination,
		func(_ collections.Pair[uint64, string], a types.Answer) (types.Answer, error) { return a, nil },
		query.WithCollectionPaginationPairPrefix[uint64, string](req.ChallengeId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAnswersResponse{Answers: out, Pagination: page}, nil
}

// Submissions lists a challenge's score submissions in evaluator address order.
func (q queryServer) Submissions(ctx context.Context, req *types.QuerySubmissionsRequest) (*types.QuerySubmissionsResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	out, page, err := query.CollectionPaginate(ctx, q.Keeper.Submissions, req.Pagination,
		func(_ collections.Pair[uint64, sdk.AccAddress], s types.ScoreSubmission) (types.ScoreSubmission, error) {
			return s, nil
		},
		query.WithCollectionPaginationPairPrefix[uint64, sdk.AccAddress](req.ChallengeId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QuerySubmissionsResponse{Submissions: out, Pagination: page}, nil
}

// EvaluatorRecord returns an evaluator's agreement record (account or validator address).
func (q queryServer) EvaluatorRecord(ctx context.Context, req *types.QueryEvaluatorRecordRequest) (*types.QueryEvaluatorRecordResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	addr, err := sdk.AccAddressFromBech32(req.Evaluator)
	if err != nil {
		val, verr := sdk.ValAddressFromBech32(req.Evaluator)
		if verr != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		addr = sdk.AccAddress(val)
	}
	r, err := q.GetEvaluatorRecord(ctx, addr)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryEvaluatorRecordResponse{Record: r}, nil
}

// Weights lists an epoch's weights for a task type in node id order.
func (q queryServer) Weights(ctx context.Context, req *types.QueryWeightsRequest) (*types.QueryWeightsResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	out, page, err := query.CollectionPaginate(ctx, q.Keeper.Weights, req.Pagination,
		func(_ StatsKey, w types.Weight) (types.Weight, error) { return w, nil },
		func(o *query.CollectionsPaginateOptions[StatsKey]) {
			prefix := collections.TripleSuperPrefix[uint64, int32, string](req.Epoch, int32(req.TaskType))
			o.Prefix = &prefix
		})
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryWeightsResponse{Weights: out, Pagination: page}, nil
}

// OptedIn reports whether a node is opted in.
func (q queryServer) OptedIn(ctx context.Context, req *types.QueryOptedInRequest) (*types.QueryOptedInResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	ok, err := q.IsOptedIn(ctx, req.NodeId)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryOptedInResponse{OptedIn: ok}, nil
}

// Unavailability returns a node's unexpired availability reports and whether invitations skip it.
func (q queryServer) Unavailability(ctx context.Context, req *types.QueryUnavailabilityRequest) (*types.QueryUnavailabilityResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	if err := types.ValidateNodeID(req.NodeId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	p, err := q.Keeper.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	reports, until, err := q.skipUntil(ctx, p, req.NodeId)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if reports == nil {
		reports = []types.UnavailableReport{}
	}
	return &types.QueryUnavailabilityResponse{Reports: reports, Skipped: until > height(ctx), SkipUntilHeight: until}, nil
}

// PendingRewards returns a node's pending rewards and the pool's balance and pending total.
func (q queryServer) PendingRewards(ctx context.Context, req *types.QueryPendingRewardsRequest) (*types.QueryPendingRewardsResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	p, err := q.Keeper.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	amt, err := q.PendingOf(ctx, req.NodeId)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	total, err := q.pendingTotal(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryPendingRewardsResponse{Amount: amt, PendingTotal: total,
		PoolBalance: q.poolBalance(ctx, p.EpochEmission.Denom)}, nil
}

// Params returns the params.
func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, errEmpty
	}
	p, err := q.Keeper.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
