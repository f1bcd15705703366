package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/audits/types"
)

type queryServer struct {
	Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/audits Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{Keeper: k}
}

func (q queryServer) load(ctx context.Context, id uint64) (types.Audit, error) {
	a, err := q.GetAudit(ctx, id)
	if errors.Is(err, types.ErrAuditNotFound) {
		return a, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return a, status.Error(codes.Internal, err.Error())
	}
	return a, nil
}

// Audit returns one audit by id.
func (q queryServer) Audit(ctx context.Context, req *types.QueryAuditRequest) (*types.QueryAuditResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	a, err := q.load(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return &types.QueryAuditResponse{Audit: a}, nil
}

// AuditsBySubject lists a subject's audits (still retained) in id order.
func (q queryServer) AuditsBySubject(ctx context.Context, req *types.QueryAuditsBySubjectRequest) (*types.QueryAuditsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateSubjectModule(req.SubjectModule); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if err := types.ValidateSubjectID(req.SubjectId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	audits, page, err := query.CollectionPaginate(ctx, q.BySubject, req.Pagination,
		func(key collections.Pair[string, uint64], _ collections.NoValue) (types.Audit, error) {
			return q.Audits.Get(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[string, uint64](types.SubjectKey(req.SubjectModule, req.SubjectId)),
	)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAuditsResponse{Audits: audits, Pagination: page}, nil
}

// OpenAudits lists PENDING and VOTING audits in id order.
func (q queryServer) OpenAudits(ctx context.Context, req *types.QueryOpenAuditsRequest) (*types.QueryAuditsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	audits, page, err := query.CollectionPaginate(ctx, q.Open, req.Pagination,
		func(id uint64, _ collections.NoValue) (types.Audit, error) {
			return q.Audits.Get(ctx, id)
		})
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAuditsResponse{Audits: audits, Pagination: page}, nil
}

func parseAuditor(s string) (sdk.AccAddress, error) {
	addr, err := sdk.AccAddressFromBech32(s)
	if err != nil {
		// accept the validator address of the same operator too
		val, verr := sdk.ValAddressFromBech32(s)
		if verr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "auditor %q: %v", s, err)
		}
		addr = sdk.AccAddress(val)
	}
	return addr, nil
}

// AuditsByAuditor lists the (retained) audits assigned to an auditor in id order. The
// auditor may be given as the operator's account or validator address.
func (q queryServer) AuditsByAuditor(ctx context.Context, req *types.QueryAuditsByAuditorRequest) (*types.QueryAuditsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := parseAuditor(req.Auditor)
	if err != nil {
		return nil, err
	}
	audits, page, err := query.CollectionPaginate(ctx, q.ByAuditor, req.Pagination,
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Audit, error) {
			return q.Audits.Get(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](addr),
	)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAuditsResponse{Audits: audits, Pagination: page}, nil
}

// AuditorRecord returns an auditor's counts.
func (q queryServer) AuditorRecord(ctx context.Context, req *types.QueryAuditorRecordRequest) (*types.QueryAuditorRecordResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := parseAuditor(req.Auditor)
	if err != nil {
		return nil, err
	}
	r, err := q.GetAuditorRecord(ctx, addr)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryAuditorRecordResponse{Record: r}, nil
}

// AuditorRecords lists all auditor records.
func (q queryServer) AuditorRecords(ctx context.Context, req *types.QueryAuditorRecordsRequest) (*types.QueryAuditorRecordsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	recs, page, err := query.CollectionPaginate(ctx, q.Keeper.AuditorRecords, req.Pagination,
		func(_ sdk.AccAddress, r types.AuditorRecord) (types.AuditorRecord, error) { return r, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAuditorRecordsResponse{Records: recs, Pagination: page}, nil
}

// Tally returns the live tally of a VOTING audit (what would be decided if the window
// closed now) or the final tally of a FRAUD/CLEARED one.
func (q queryServer) Tally(ctx context.Context, req *types.QueryTallyRequest) (*types.QueryTallyResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	a, err := q.load(ctx, req.AuditId)
	if err != nil {
		return nil, err
	}
	switch {
	case a.Tally != nil:
		return &types.QueryTallyResponse{Tally: *a.Tally, Status: a.Status, VotingEndHeight: a.VotingEndHeight}, nil
	case a.Status == types.AUDIT_STATUS_VOTING:
		t, err := q.ComputeTally(ctx, a.Id)
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		return &types.QueryTallyResponse{Tally: t, Status: a.Status, VotingEndHeight: a.VotingEndHeight}, nil
	default:
		return nil, status.Errorf(codes.FailedPrecondition, "audit %d is %s: no fraud vote", a.Id, a.Status)
	}
}

// Votes lists the current votes on an audit in voter-address order.
func (q queryServer) Votes(ctx context.Context, req *types.QueryVotesRequest) (*types.QueryVotesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	votes, page, err := query.CollectionPaginate(ctx, q.Keeper.Votes, req.Pagination,
		func(_ collections.Pair[uint64, sdk.AccAddress], v types.Vote) (types.Vote, error) { return v, nil },
		query.WithCollectionPaginationPairPrefix[uint64, sdk.AccAddress](req.AuditId),
	)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryVotesResponse{Votes: votes, Pagination: page}, nil
}

// Params returns the module params.
func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.Keeper.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
