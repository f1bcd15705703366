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
	legacy.RegisterAminoMsg(cdc, &MsgAuditPass{}, "cortd/x/audits/MsgAuditPass")
	legacy.RegisterAminoMsg(cdc, &MsgReportFraud{}, "cortd/x/audits/MsgReportFraud")
	legacy.RegisterAminoMsg(cdc, &MsgVoteFraud{}, "cortd/x/audits/MsgVoteFraud")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "cortd/x/audits/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "cortd/x/audits/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgAuditPass{},
		&MsgReportFraud{},
		&MsgVoteFraud{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
