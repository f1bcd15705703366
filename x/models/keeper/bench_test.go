package keeper_test

import (
	"fmt"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/models/types"
)

// benchRegistry returns a fixture with n registered models (registered by the authority,
// so no funding is needed).
func benchRegistry(b *testing.B, n int) *fixture {
	b.Helper()
	f := newFixture(b)
	authority := sdk.MustAccAddressFromBech32(f.Authority)
	for i := range n {
		if _, err := f.msg.RegisterModel(f.Ctx, validMsg(authority, fmt.Sprintf("model-%06d", i))); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// BenchmarkGetModel is the lookup every task assignment and data submission does.
func BenchmarkGetModel(b *testing.B) {
	f := benchRegistry(b, 1000)
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("model-%06d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := f.k.GetActiveModel(f.Ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegisterModel measures the full msg-server path including the deposit escrow.
func BenchmarkRegisterModel(b *testing.B) {
	f := newFixture(b)
	f.Fund(b, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 1<<62)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, fmt.Sprintf("r-%09d", i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListModelsPage is one 100-model page of the list query over 1,000 models.
func BenchmarkListModelsPage(b *testing.B) {
	f := benchRegistry(b, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := f.q.Models(f.Ctx, &types.QueryModelsRequest{Pagination: &query.PageRequest{Limit: 100}})
		if err != nil || len(res.Models) != 100 {
			b.Fatal(err, len(res.Models))
		}
	}
}
