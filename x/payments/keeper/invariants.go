package keeper

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// EscrowInvariant checks module balance == Σ(free + reserved) over sessions + Σ pending
// payments: no ucor stranded in the account, none promised that it does not hold.
func EscrowInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		total, err := k.trackedTotal(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "escrow", err.Error()), true
		}
		denom, err := k.Denom(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "escrow", err.Error()), true
		}
		held := k.bank.GetBalance(ctx, k.moduleAddress(), denom).Amount
		return sdk.FormatInvariant(types.ModuleName, "escrow",
			fmt.Sprintf("module account holds %s%s, tracked balances sum to %s", held, denom, total)), !held.Equal(total)
	}
}

// AllInvariants runs every x/payments invariant (x/crisis is retired in v0.54: tests call it).
func AllInvariants(k Keeper) sdk.Invariant { return EscrowInvariant(k) }
