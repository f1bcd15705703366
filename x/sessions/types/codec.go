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
	legacy.RegisterAminoMsg(cdc, &MsgCreateSession{}, "cortd/x/sessions/MsgCreateSession")
	legacy.RegisterAminoMsg(cdc, &MsgDeposit{}, "cortd/x/sessions/MsgDeposit")
	legacy.RegisterAminoMsg(cdc, &MsgCloseSession{}, "cortd/x/sessions/MsgCloseSession")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitTask{}, "cortd/x/sessions/MsgSubmitTask")
	legacy.RegisterAminoMsg(cdc, &MsgPrecommit{}, "cortd/x/sessions/MsgPrecommit")
	legacy.RegisterAminoMsg(cdc, &MsgCommit{}, "cortd/x/sessions/MsgCommit")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "cortd/x/sessions/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "cortd/x/sessions/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgCreateSession{}, &MsgDeposit{}, &MsgCloseSession{}, &MsgSubmitTask{},
		&MsgPrecommit{}, &MsgCommit{}, &MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
