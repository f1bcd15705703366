package keeper

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// DepositsInvariant checks that the module account holds exactly the deposits still
// escrowed: those of challenges whose deposit was neither returned nor forfeited.
func DepositsInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		expected := sdk.NewCoins()
		err := k.Challenges.Walk(ctx, nil, func(_ uint64, c types.Challenge) (bool, error) {
			if !c.DepositReturned && !c.Status.IsFinal() {
				expected = expected.Add(c.Deposit)
			}
			return false, nil
		})
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "deposits", err.Error()), true
		}
		held := k.bank.GetAllBalances(ctx, k.moduleAddr())
		return sdk.FormatInvariant(types.ModuleName, "deposits",
			fmt.Sprintf("module account holds %s, escrowed deposits sum to %s", held, expected)), !held.Equal(expected)
	}
}

// AllInvariants runs every x/challenges invariant (x/crisis is retired in v0.54: tests
// call this after each step).
func AllInvariants(k Keeper) sdk.Invariant { return DepositsInvariant(k) }
