package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// TestInitGenesisRefusesInvalid: every kind of state that GenesisState.Validate (what
// `cortd genesis validate` runs) rejects is refused by InitGenesis with the same error,
// before anything is written: a node never boots a genesis the validator would reject.
func TestInitGenesisRefusesInvalid(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 100)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 4, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 4, alice, ints(100)))
	require.NoError(t, f.k.Reserve(f.Ctx, 4, ints(60)))
	require.NoError(t, f.k.Settle(f.Ctx, 4, 1, ints(60), ints(30), []string{op1.String()}))
	good, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, good.Validate())
	require.Len(t, good.Balances, 1)
	require.Len(t, good.Pending, 1)

	for name, tc := range map[string]struct {
		mutate func(*types.GenesisState)
		err    error
		says   string
	}{
		"bad denom":          {func(g *types.GenesisState) { g.Params.Denom = "U!" }, types.ErrInvalidParams, "denom"},
		"duplicate session":  {func(g *types.GenesisState) { g.Balances = append(g.Balances, g.Balances[0]) }, types.ErrInvalidGenesis, "duplicate session 4"},
		"bad owner":          {func(g *types.GenesisState) { g.Balances[0].Owner = "nope" }, types.ErrInvalidAddress, "session 4"},
		"negative free":      {func(g *types.GenesisState) { g.Balances[0].Free = ints(-1) }, types.ErrInvalidGenesis, "session 4: free"},
		"nil paid":           {func(g *types.GenesisState) { g.Balances[0].Paid = sdkmath.Int{} }, types.ErrInvalidGenesis, "session 4: paid"},
		"duplicate operator": {func(g *types.GenesisState) { g.Pending = append(g.Pending, g.Pending[0]) }, types.ErrInvalidGenesis, "duplicate operator " + op1.String()},
		"bad operator":       {func(g *types.GenesisState) { g.Pending[0].Operator = "nope" }, types.ErrInvalidAddress, "operator"},
		"zero pending":       {func(g *types.GenesisState) { g.Pending[0].Amount = sdkmath.ZeroInt() }, types.ErrInvalidGenesis, "pending payment of " + op1.String()},
	} {
		t.Run(name, func(t *testing.T) {
			gs, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			tc.mutate(gs)
			want := gs.Validate()
			require.ErrorIs(t, want, tc.err)
			require.ErrorContains(t, want, tc.says, "the error names the offending record")

			g := newFixture(t)
			before := g.snapshot(t)
			err = g.k.InitGenesis(g.Ctx, gs)
			require.ErrorIs(t, err, tc.err)
			require.EqualError(t, err, want.Error())
			require.Equal(t, before, g.snapshot(t), "a refused genesis writes nothing")
		})
	}
}
