package keeper

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

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

// RewardsInvariant checks that the pending total equals the sum of pending rewards and
// that the rewards pool holds at least that much (the rest is unallocated).
func RewardsInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		p, err := k.Params.Get(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "rewards", err.Error()), true
		}
		sum := sdkmath.ZeroInt()
		err = k.Pending.Walk(ctx, nil, func(_ string, amt sdkmath.Int) (bool, error) {
			sum = sum.Add(amt)
			return false, nil
		})
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "rewards", err.Error()), true
		}
		total, err := k.pendingTotal(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "rewards", err.Error()), true
		}
		pool := k.poolBalance(ctx, p.EpochEmission.Denom)
		return sdk.FormatInvariant(types.ModuleName, "rewards",
				fmt.Sprintf("pool %s, pending total %s, sum of pending %s", pool, total, sum)),
			!sum.Equal(total) || pool.LT(total)
	}
}

// AllInvariants runs every x/challenges invariant (x/crisis is retired in v0.54: tests
// call this after each step).
func AllInvariants(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		if msg, broken := DepositsInvariant(k)(ctx); broken {
			return msg, true
		}
		return RewardsInvariant(k)(ctx)
	}
}
