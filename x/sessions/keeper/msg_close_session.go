package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// CloseSession stops new tasks. With nothing in flight the free escrow is refunded at
// once; otherwise the session is CLOSING and the refund follows when its last task ends.
func (s msgServer) CloseSession(ctx context.Context, msg *types.MsgCloseSession) (*types.MsgCloseSessionResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	sess, err := s.GetSession(ctx, msg.SessionId)
	if err != nil {
		return nil, err
	}
	if msg.Owner != sess.Owner {
		return nil, errorsmod.Wrapf(types.ErrNotOwner, "session %d is owned by %s", sess.Id, sess.Owner)
	}
	if sess.Status != types.SESSION_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrSessionNotActive, "session %d is %s", sess.Id, sess.Status)
	}
	refunded := sdkmath.ZeroInt()
	err = atomic(ctx, func(ctx sdk.Context) error {
		sess.Status = types.SESSION_STATUS_CLOSING
		if sess.Queued+sess.Running == 0 {
			var err error
			if refunded, err = s.finishClose(ctx, &sess); err != nil {
				return err
			}
		} else if err := emit(ctx, &types.EventSessionClosed{SessionId: sess.Id, Closing: true}); err != nil {
			return err
		}
		return s.Sessions.Set(ctx, sess.Id, sess)
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgCloseSessionResponse{Closed: sess.Status == types.SESSION_STATUS_CLOSED, Refunded: refunded}, nil
}
