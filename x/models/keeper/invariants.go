package keeper

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/models/types"
)

// DepositsInvariant checks that the module account holds exactly the deposits of the
// registered models: nothing stranded, nothing missing.
func DepositsInvariant(k Keeper, ak types.AccountKeeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		expected := sdk.NewCoins()
		err := k.Models.Walk(ctx, nil, func(_ string, m types.Model) (bool, error) {
			expected = expected.Add(m.Deposit)
			return false, nil
		})
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "deposits", err.Error()), true
		}
		held := k.bank.GetAllBalances(ctx, ak.GetModuleAddress(types.ModuleName))
		broken := !held.Equal(expected)
		return sdk.FormatInvariant(types.ModuleName, "deposits",
			fmt.Sprintf("module account holds %s, models' deposits sum to %s", held, expected)), broken
	}
}

// AllInvariants runs every x/models invariant. x/crisis is retired in SDK v0.54, so tests
// and simulations call this after each step instead of a crisis module.
func AllInvariants(k Keeper, ak types.AccountKeeper) sdk.Invariant {
	return DepositsInvariant(k, ak)
}
