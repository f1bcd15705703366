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
	legacy.RegisterAminoMsg(cdc, &MsgRegisterNode{}, "cortd/x/nodes/MsgRegisterNode")
	legacy.RegisterAminoMsg(cdc, &MsgAddStake{}, "cortd/x/nodes/MsgAddStake")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateNode{}, "cortd/x/nodes/MsgUpdateNode")
	legacy.RegisterAminoMsg(cdc, &MsgUnbondNode{}, "cortd/x/nodes/MsgUnbondNode")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawRewards{}, "cortd/x/nodes/MsgWithdrawRewards")
	legacy.RegisterAminoMsg(cdc, &MsgHeartbeat{}, "cortd/x/nodes/MsgHeartbeat")
	legacy.RegisterAminoMsg(cdc, &MsgFundRewardsPool{}, "cortd/x/nodes/MsgFundRewardsPool")
	legacy.RegisterAminoMsg(cdc, &MsgSetOperatorRoles{}, "cortd/x/nodes/MsgSetOperatorRoles")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "cortd/x/nodes/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "cortd/x/nodes/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterNode{},
		&MsgAddStake{},
		&MsgUpdateNode{},
		&MsgUnbondNode{},
		&MsgWithdrawRewards{},
		&MsgHeartbeat{},
		&MsgFundRewardsPool{},
		&MsgSetOperatorRoles{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
