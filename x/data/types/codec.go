package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the messages for amino JSON signing (ledger).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgSubmitData{}, "cortd/x/data/MsgSubmitData")
	legacy.RegisterAminoMsg(cdc, &MsgClaimReward{}, "cortd/x/data/MsgClaimReward")
	legacy.RegisterAminoMsg(cdc, &MsgFundPool{}, "cortd/x/data/MsgFundPool")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "cortd/x/data/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "cortd/x/data/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgSubmitData{}, &MsgClaimReward{}, &MsgFundPool{}, &MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
