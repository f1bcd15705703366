package router

import (
	"testing"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// A submit refused for a full queue dooms the later submits to its session only; any
// other refusal, or a refused message that is not a submit, dooms nothing.
func TestQueueFullDoomsTheSessionsLaterSubmits(t *testing.T) {
	full := errorsmod.Wrapf(sessionstypes.ErrQueueFull, "session 1 has 1000 tasks queued")
	same := queueFullFate(&sessionstypes.MsgSubmitTask{SessionId: 1}, full)
	require.NotNil(t, same)
	require.True(t, same(&sessionstypes.MsgSubmitTask{SessionId: 1, Prompt: "other"}))
	require.False(t, same(&sessionstypes.MsgSubmitTask{SessionId: 2}))
	require.False(t, same(&sessionstypes.MsgDeposit{SessionId: 1}))

	require.Nil(t, queueFullFate(&sessionstypes.MsgSubmitTask{SessionId: 1},
		errorsmod.Wrap(sdkerrors.ErrInsufficientFunds, "escrow")))
	require.Nil(t, queueFullFate(sdk.Msg(&sessionstypes.MsgDeposit{SessionId: 1}), full))
}

// A queue found full in a block is contended (the router's own earlier submits of
// the block filled it); other failures are not.
func TestQueueFullInBlockIsContended(t *testing.T) {
	full := &chain.TxError{Height: 9, Codespace: sessionstypes.ErrQueueFull.Codespace(), Code: sessionstypes.ErrQueueFull.ABCICode(), Log: "session 1 has 1000 tasks queued"}
	require.True(t, queueFullInBlock(full))
	other := &chain.TxError{Height: 9, Codespace: sessionstypes.ErrNotOwner.Codespace(), Code: sessionstypes.ErrNotOwner.ABCICode()}
	require.False(t, queueFullInBlock(other))
}
