package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/data/types"
)

func TestQueries(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxReplacementsPerEpoch = 0 }, 1, 1, 1)
	f.startEpoch(t, 1)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	f.endEpoch(t, 1)
	f.startEpoch(t, 2)

	tr, err := f.q.Target(f.Ctx, &types.QueryTargetRequest{Id: 1})
	require.NoError(t, err)
	require.Equal(t, types.TARGET_STATUS_AUDITING, tr.Target.Status)
	_, err = f.q.Target(f.Ctx, &types.QueryTargetRequest{Id: 99})
	require.Equal(t, codes.NotFound, status.Code(err))

	all, err := f.q.Targets(f.Ctx, &types.QueryTargetsRequest{})
	require.NoError(t, err)
	require.Len(t, all.Targets, 4)
	open, err := f.q.Targets(f.Ctx, &types.QueryTargetsRequest{Status: types.TARGET_STATUS_OPEN})
	require.NoError(t, err)
	require.Len(t, open.Targets, 2)
	require.Equal(t, int64(2), open.Targets[0].Epoch)
	ep1, err := f.q.Targets(f.Ctx, &types.QueryTargetsRequest{Epoch: 1})
	require.NoError(t, err)
	require.Len(t, ep1.Targets, 2)
	expired, err := f.q.Targets(f.Ctx, &types.QueryTargetsRequest{Epoch: 1, Status: types.TARGET_STATUS_EXPIRED})
	require.NoError(t, err)
	require.Len(t, expired.Targets, 1)
	require.Equal(t, uint64(2), expired.Targets[0].Id)
	page, err := f.q.Targets(f.Ctx, &types.QueryTargetsRequest{Pagination: &query.PageRequest{Limit: 3}})
	require.NoError(t, err)
	require.Len(t, page.Targets, 3)
	require.NotEmpty(t, page.Pagination.NextKey)
	_, err = f.q.Targets(f.Ctx, &types.QueryTargetsRequest{Status: 42})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	sr, err := f.q.Submission(f.Ctx, &types.QuerySubmissionRequest{TargetId: 1})
	require.NoError(t, err)
	require.Equal(t, submitter.String(), sr.Submission.Submitter)
	_, err = f.q.Submission(f.Ctx, &types.QuerySubmissionRequest{TargetId: 2})
	require.Equal(t, codes.NotFound, status.Code(err))

	pr, err := f.q.Pool(f.Ctx, &types.QueryPoolRequest{})
	require.NoError(t, err)
	require.Equal(t, sdkmath.NewInt(99_000), pr.Accounting.Pool)
	require.Equal(t, "101000ucor", pr.Balance)
	require.Equal(t, int64(2), pr.Epoch.Epoch)

	pp, err := f.q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, uint32(2), pp.Params.TargetsPerEpoch)
}
