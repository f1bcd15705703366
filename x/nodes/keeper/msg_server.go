package keeper

import (
	"github.com/cortnet/cortd/x/nodes/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/nodes Msg service. Every handler checks everything before
// its first write, so a rejected message changes no state.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}
