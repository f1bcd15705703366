package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// PendingPayments is each operator's earned, unwithdrawn payments (always > 0), stored under
// the operator account's bytes. Consensus version 1 stored them under the bech32 string;
// migrations/v2 re-keys them: raw bytes are shorter (20 bytes, not 43) and do not depend on
// the chain's bech32 prefix. The methods take and give bech32 strings, the form every caller
// (x/sessions payees, messages, genesis) has; Map is the stored collection itself.
type PendingPayments struct {
	Map collections.Map[sdk.AccAddress, sdkmath.Int]
}

func operatorAddr(operator string) (sdk.AccAddress, error) {
	addr, err := sdk.AccAddressFromBech32(operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", operator, err)
	}
	return addr, nil
}

// Get returns the operator's pending payments, or collections.ErrNotFound.
func (p PendingPayments) Get(ctx context.Context, operator string) (sdkmath.Int, error) {
	addr, err := operatorAddr(operator)
	if err != nil {
		return sdkmath.Int{}, err
	}
	return p.Map.Get(ctx, addr)
}

// Has reports whether the operator has pending payments.
func (p PendingPayments) Has(ctx context.Context, operator string) (bool, error) {
	addr, err := operatorAddr(operator)
	if err != nil {
		return false, err
	}
	return p.Map.Has(ctx, addr)
}

// Set stores the operator's pending payments.
func (p PendingPayments) Set(ctx context.Context, operator string, amount sdkmath.Int) error {
	addr, err := operatorAddr(operator)
	if err != nil {
		return err
	}
	return p.Map.Set(ctx, addr, amount)
}

// Remove deletes the operator's entry.
func (p PendingPayments) Remove(ctx context.Context, operator string) error {
	addr, err := operatorAddr(operator)
	if err != nil {
		return err
	}
	return p.Map.Remove(ctx, addr)
}

// Walk visits the entries in key (account bytes) order with the operator's bech32 string.
func (p PendingPayments) Walk(ctx context.Context, ranger collections.Ranger[sdk.AccAddress],
	fn func(operator string, amount sdkmath.Int) (stop bool, err error),
) error {
	return p.Map.Walk(ctx, ranger, func(addr sdk.AccAddress, amount sdkmath.Int) (bool, error) {
		return fn(addr.String(), amount)
	})
}
