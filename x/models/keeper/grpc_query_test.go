package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/models/types"
)

func TestQueries(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 1_000_000_000)))
	for i := range 5 {
		_, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, fmt.Sprintf("m%d", i)))
		require.NoError(t, err)
	}
	_, err := f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: alice.String(), Id: "m1"})
	require.NoError(t, err)

	one, err := f.q.Model(f.Ctx, &types.QueryModelRequest{Id: "m3"})
	require.NoError(t, err)
	require.Equal(t, "m3", one.Model.Id)

	_, err = f.q.Model(f.Ctx, &types.QueryModelRequest{Id: "missing"})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = f.q.Model(f.Ctx, &types.QueryModelRequest{Id: "bad id"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = f.q.Model(f.Ctx, nil)
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	// pages of two, in id order
	var ids []string
	var next []byte
	for {
		res, err := f.q.Models(f.Ctx, &types.QueryModelsRequest{Pagination: &query.PageRequest{Key: next, Limit: 2, CountTotal: next == nil}})
		require.NoError(t, err)
		if next == nil {
			require.Equal(t, uint64(5), res.Pagination.Total)
		}
		for _, m := range res.Models {
			ids = append(ids, m.Id)
		}
		next = res.Pagination.NextKey
		if next == nil {
			break
		}
	}
	require.Equal(t, []string{"m0", "m1", "m2", "m3", "m4"}, ids)

	active, err := f.q.Models(f.Ctx, &types.QueryModelsRequest{Status: types.MODEL_STATUS_ACTIVE})
	require.NoError(t, err)
	require.Len(t, active.Models, 4)
	retired, err := f.q.Models(f.Ctx, &types.QueryModelsRequest{Status: types.MODEL_STATUS_RETIRED})
	require.NoError(t, err)
	require.Len(t, retired.Models, 1)
	require.Equal(t, "m1", retired.Models[0].Id)

	_, err = f.q.Models(f.Ctx, &types.QueryModelsRequest{Status: 99})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
}
