package types

import (
	"encoding/hex"
	"strings"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/internal/embedding"
)

var (
	_ sdk.Msg = &MsgSubmitData{}
	_ sdk.Msg = &MsgClaimReward{}
	_ sdk.Msg = &MsgFundPool{}
	_ sdk.Msg = &MsgUpdateParams{}
)

func validAddress(field, addr string) error {
	if _, err := sdk.AccAddressFromBech32(addr); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return nil
}

// ValidateChecksum accepts 64 lowercase hex characters.
func ValidateChecksum(s string) error {
	if len(s) != 64 || strings.ToLower(s) != s {
		return errorsmod.Wrap(ErrInvalidChecksum, "want 64 lowercase hex characters")
	}
	if _, err := hex.DecodeString(s); err != nil {
		return errorsmod.Wrap(ErrInvalidChecksum, err.Error())
	}
	return nil
}

// ValidateBasic performs stateless checks; the msg server checks the rest against state.
func (m *MsgSubmitData) ValidateBasic() error {
	if err := validAddress("submitter", m.Submitter); err != nil {
		return err
	}
	if m.TargetId == 0 {
		return errorsmod.Wrap(ErrInvalidTargetID, "target id 0")
	}
	if err := ValidateURL(m.Url, MaxURLBytes); err != nil {
		return err
	}
	if err := ValidateChecksum(m.Sha256); err != nil {
		return err
	}
	if m.SizeBytes == 0 {
		return errorsmod.Wrap(ErrInvalidSize, "size_bytes must be > 0")
	}
	if len(m.Losses) == 0 || len(m.Losses) > MaxModelsPerTarget {
		return errorsmod.Wrapf(ErrInvalidLosses, "%d losses, want 1..%d", len(m.Losses), MaxModelsPerTarget)
	}
	for _, l := range m.Losses {
		if l.ModelId == "" || l.Loss.IsNil() || l.Loss.IsNegative() {
			return errorsmod.Wrap(ErrInvalidLosses, "each loss needs a model id and a value ≥ 0")
		}
	}
	if err := embedding.CheckDim(len(m.Embedding)); err != nil {
		return errorsmod.Wrap(ErrWrongDim, err.Error())
	}
	if m.DistanceSq < 0 {
		return errorsmod.Wrap(ErrDistanceMismatch, "negative distance")
	}
	if m.Bond.IsNil() || m.Bond.IsNegative() {
		return errorsmod.Wrap(ErrBondTooSmall, "bond must be ≥ 0")
	}
	return nil
}

// ValidateBasic performs stateless checks.
func (m *MsgClaimReward) ValidateBasic() error {
	if err := validAddress("claimer", m.Claimer); err != nil {
		return err
	}
	if m.TargetId == 0 {
		return errorsmod.Wrap(ErrInvalidTargetID, "target id 0")
	}
	return nil
}

// ValidateBasic performs stateless checks.
func (m *MsgFundPool) ValidateBasic() error {
	if err := validAddress("funder", m.Funder); err != nil {
		return err
	}
	if m.Amount.IsNil() || !m.Amount.IsPositive() {
		return errorsmod.Wrap(ErrInvalidAmount, "amount must be > 0")
	}
	return nil
}

// ValidateBasic performs stateless checks.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := validAddress("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
