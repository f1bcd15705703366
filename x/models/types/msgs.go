package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

var (
	_ sdk.Msg = &MsgRegisterModel{}
	_ sdk.Msg = &MsgRetireModel{}
	_ sdk.Msg = &MsgUpdateParams{}
)

func validAddress(field, addr string) error {
	if _, err := sdk.AccAddressFromBech32(addr); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return nil
}

// Fields returns the model description carried by the message.
func (m *MsgRegisterModel) Fields() ModelFields {
	return ModelFields{
		ID: m.Id, Name: m.Name, Architecture: m.Architecture, WeightsURI: m.WeightsUri,
		WeightsSha256: m.WeightsSha256, TokenizerSha256: m.TokenizerSha256, ManifestSha256: m.ManifestSha256,
		EmbeddingDim: m.EmbeddingDim, MemoryMiB: m.MemoryMib, Modality: m.Modality,
	}
}

// ValidateBasic performs stateless checks.
func (m *MsgRegisterModel) ValidateBasic() error {
	if err := validAddress("sender", m.Sender); err != nil {
		return err
	}
	if m.Owner != "" {
		if err := validAddress("owner", m.Owner); err != nil {
			return err
		}
	}
	return m.Fields().ValidateStateless()
}

// ValidateBasic performs stateless checks.
func (m *MsgRetireModel) ValidateBasic() error {
	if err := validAddress("sender", m.Sender); err != nil {
		return err
	}
	return ValidateID(m.Id)
}

// ValidateBasic performs stateless checks.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := validAddress("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
