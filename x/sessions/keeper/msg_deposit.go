package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// Deposit adds escrow to an active session; anyone may fund it.
func (s msgServer) Deposit(ctx context.Context, msg *types.MsgDeposit) (*types.MsgDepositResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	sess, err := s.GetSession(ctx, msg.SessionId)
	if err != nil {
		return nil, err
	}
	if sess.Status != types.SESSION_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrSessionNotActive, "session %d is %s", sess.Id, sess.Status)
	}
	if err := s.payments.Deposit(ctx, sess.Id, sdk.MustAccAddressFromBech32(msg.Sender), msg.Amount); err != nil {
		return nil, err
	}
	return &types.MsgDepositResponse{}, nil
}
