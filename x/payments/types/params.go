package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultParams: escrow in the bond denom (ucor on cortd).
func DefaultParams() Params {
	return Params{Denom: sdk.DefaultBondDenom}
}

// Validate checks the params.
func (p Params) Validate() error {
	if err := sdk.ValidateDenom(p.Denom); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "denom: %v", err)
	}
	return nil
}
