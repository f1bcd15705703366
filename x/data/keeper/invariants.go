package keeper

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
)

// FundsInvariant checks the module account balance == pool + held bonds + reserved
// rewards, and that the held bonds and rewards of the submissions sum to the tracked
// totals. (x/crisis is retired in v0.54: tests call it after each step.)
func FundsInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		p, err := k.Params.Get(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "funds", err.Error()), true
		}
		acc, err := k.Accounting.Get(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "funds", err.Error()), true
		}
		bonds, reserved := sdkmath.ZeroInt(), sdkmath.ZeroInt()
		err = k.Submissions.Walk(ctx, nil, func(_ uint64, s types.Submission) (bool, error) {
			if s.BondHeld {
				bonds = bonds.Add(s.Bond)
			}
			if s.RewardHeld {
				reserved = reserved.Add(s.Reward)
			}
			return false, nil
		})
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "funds", err.Error()), true
		}
		held := k.bank.GetBalance(ctx, k.ModuleAddress(), p.Denom).Amount
		broken := !held.Equal(acc.Total()) || !bonds.Equal(acc.Bonds) || !reserved.Equal(acc.Reserved) ||
			acc.Pool.IsNegative()
		return sdk.FormatInvariant(types.ModuleName, "funds", fmt.Sprintf(
			"balance %s; pool %s + bonds %s + reserved %s = %s; submissions hold bonds %s, rewards %s",
			held, acc.Pool, acc.Bonds, acc.Reserved, acc.Total(), bonds, reserved)), broken
	}
}
