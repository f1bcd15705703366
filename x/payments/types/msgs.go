package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

var (
	_ sdk.Msg = &MsgWithdrawPayments{}
	_ sdk.Msg = &MsgUpdateParams{}
)

func validAddress(field, addr string) error {
	if _, err := sdk.AccAddressFromBech32(addr); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return nil
}

// ValidateBasic performs stateless checks.
func (m *MsgWithdrawPayments) ValidateBasic() error { return validAddress("operator", m.Operator) }

// ValidateBasic performs stateless checks.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := validAddress("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
