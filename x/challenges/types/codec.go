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
	legacy.RegisterAminoMsg(cdc, &MsgSetOptIn{}, "cortd/x/challenges/MsgSetOptIn")
	legacy.RegisterAminoMsg(cdc, &MsgPostChallenge{}, "cortd/x/challenges/MsgPostChallenge")
	legacy.RegisterAminoMsg(cdc, &MsgCommitPatch{}, "cortd/x/challenges/MsgCommitPatch")
	legacy.RegisterAminoMsg(cdc, &MsgRevealPatch{}, "cortd/x/challenges/MsgRevealPatch")
	legacy.RegisterAminoMsg(cdc, &MsgRevealTests{}, "cortd/x/challenges/MsgRevealTests")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitScores{}, "cortd/x/challenges/MsgSubmitScores")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawRewards{}, "cortd/x/challenges/MsgWithdrawRewards")
	legacy.RegisterAminoMsg(cdc, &MsgReportUnavailable{}, "cortd/x/challenges/MsgReportUnavailable")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "cortd/x/challenges/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "cortd/x/challenges/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgSetOptIn{},
		&MsgPostChallenge{},
		&MsgCommitPatch{},
		&MsgRevealPatch{},
		&MsgRevealTests{},
		&MsgSubmitScores{},
		&MsgWithdrawRewards{},
		&MsgReportUnavailable{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
