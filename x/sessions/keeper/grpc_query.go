package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/sessions/types"
)

type queryServer struct {
	Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/sessions Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{Keeper: k}
}

// Session returns one session.
func (q queryServer) Session(ctx context.Context, req *types.QuerySessionRequest) (*types.QuerySessionResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	s, err := q.GetSession(ctx, req.SessionId)
	if err != nil {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	return &types.QuerySessionResponse{Session: s}, nil
}

// SessionsByOwner lists an owner's sessions in id order.
func (q queryServer) SessionsByOwner(ctx context.Context, req *types.QuerySessionsByOwnerRequest) (*types.QuerySessionsByOwnerResponse, error) {
	if req == nil || req.Owner == "" {
		return nil, status.Error(codes.InvalidArgument, "owner required")
	}
	out, page, err := query.CollectionPaginate(ctx, q.Keeper.SessionsByOwner, req.Pagination,
		func(key sPair, _ collections.NoValue) (types.Session, error) { return q.Sessions.Get(ctx, key.K2()) },
		query.WithCollectionPaginationPairPrefix[string, uint64](req.Owner))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QuerySessionsByOwnerResponse{Sessions: out, Pagination: page}, nil
}

// Task returns a task with every node's status and (until pruned) result.
func (q queryServer) Task(ctx context.Context, req *types.QueryTaskRequest) (*types.QueryTaskResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	t, err := q.GetTask(ctx, req.TaskId)
	if err != nil {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if t, err = q.WithResults(ctx, t); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryTaskResponse{Task: t}, nil
}

// MaxTasksPerQuery bounds the ids of one Tasks query: a block's worth of one node's
// assignments at the default per-block bounds, and a bounded read for the node serving it.
const MaxTasksPerQuery = 1000

// Tasks returns the named tasks (with results) in the order asked, and the ids not in
// state. Empty, oversized and repeated id lists are refused: a repeated id would only
// make the node read the same task twice.
func (q queryServer) Tasks(ctx context.Context, req *types.QueryTasksRequest) (*types.QueryTasksResponse, error) {
	if req == nil || len(req.TaskIds) == 0 {
		return nil, status.Error(codes.InvalidArgument, "task_ids required")
	}
	if len(req.TaskIds) > MaxTasksPerQuery {
		return nil, status.Errorf(codes.InvalidArgument, "%d task ids asked; at most %d per query", len(req.TaskIds), MaxTasksPerQuery)
	}
	seen := make(map[uint64]bool, len(req.TaskIds)) // lookups only, never iterated
	out := &types.QueryTasksResponse{Tasks: make([]types.Task, 0, len(req.TaskIds))}
	for _, id := range req.TaskIds {
		if seen[id] {
			return nil, status.Errorf(codes.InvalidArgument, "task id %d asked twice", id)
		}
		seen[id] = true
		t, err := q.taskWithResults(ctx, id)
		switch {
		case errors.Is(err, collections.ErrNotFound):
			out.Missing = append(out.Missing, id)
		case err != nil:
			return nil, status.Error(codes.Internal, err.Error())
		default:
			out.Tasks = append(out.Tasks, t)
		}
	}
	return out, nil
}

// TasksBySession lists a session's tasks in id order.
func (q queryServer) TasksBySession(ctx context.Context, req *types.QueryTasksBySessionRequest) (*types.QueryTasksBySessionResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	out, page, err := query.CollectionPaginate(ctx, q.Keeper.TasksBySession, req.Pagination,
		func(key u64Pair, _ collections.NoValue) (types.Task, error) { return q.taskWithResults(ctx, key.K2()) },
		query.WithCollectionPaginationPairPrefix[uint64, uint64](req.SessionId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryTasksBySessionResponse{Tasks: out, Pagination: page}, nil
}

// QueueLength counts queued tasks: the session's from its counter, the total by walking
// the queue (a query, not consensus work).
func (q queryServer) QueueLength(ctx context.Context, req *types.QueryQueueLengthRequest) (*types.QueryQueueLengthResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	res := &types.QueryQueueLengthResponse{}
	if err := q.Queue.Walk(ctx, nil, func(hPair) (bool, error) { res.Total++; return false, nil }); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if req.SessionId != 0 {
		s, err := q.GetSession(ctx, req.SessionId)
		if err != nil {
			return nil, status.Error(codes.NotFound, err.Error())
		}
		res.Session = uint64(s.Queued)
	}
	return res, nil
}

// NodeAssignments lists the tasks a node is live on, in task id order.
func (q queryServer) NodeAssignments(ctx context.Context, req *types.QueryNodeAssignmentsRequest) (*types.QueryNodeAssignmentsResponse, error) {
	if req == nil || req.NodeId == "" {
		return nil, status.Error(codes.InvalidArgument, "node_id required")
	}
	out, page, err := query.CollectionPaginate(ctx, q.Keeper.NodeTasks, req.Pagination,
		func(key sPair, _ collections.NoValue) (types.Task, error) { return q.taskWithResults(ctx, key.K2()) },
		query.WithCollectionPaginationPairPrefix[string, uint64](req.NodeId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryNodeAssignmentsResponse{Tasks: out, Pagination: page}, nil
}

// Params returns the module params.
func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.Keeper.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) taskWithResults(ctx context.Context, id uint64) (types.Task, error) {
	t, err := q.Keeper.Tasks.Get(ctx, id)
	if err != nil {
		return t, err
	}
	return q.WithResults(ctx, t)
}
