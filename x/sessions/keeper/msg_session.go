package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// CreateSession checks the terms against params and the model, opens the session's
// escrow and deposits into it.
func (s msgServer) CreateSession(ctx context.Context, msg *types.MsgCreateSession) (*types.MsgCreateSessionResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Redundancy < p.MinRedundancy || msg.Redundancy > p.MaxRedundancy {
		return nil, errorsmod.Wrapf(types.ErrInvalidRedundancy, "redundancy %d not in %d..%d", msg.Redundancy, p.MinRedundancy, p.MaxRedundancy)
	}
	if msg.PricePerTask.LT(p.MinPricePerTask) || msg.PricePerTask.GT(p.MaxPricePerTask) {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrice, "price_per_task %s not in %s..%s", msg.PricePerTask, p.MinPricePerTask, p.MaxPricePerTask)
	}
	if msg.MaxTokens > p.MaxTokensCap {
		return nil, errorsmod.Wrapf(types.ErrInvalidMaxTokens, "max_tokens %d > %d", msg.MaxTokens, p.MaxTokensCap)
	}
	if _, err := s.models.GetActiveModel(ctx, msg.ModelId); err != nil {
		return nil, errorsmod.Wrapf(types.ErrModelUnavailable, "%q: %v", msg.ModelId, err)
	}
	// The session stores the resolved mode, so a later change of the model's default does
	// not change how its tasks are judged.
	mode := msg.Verification
	if mode == types.VERIFICATION_MODE_UNSPECIFIED {
		mode = p.ModeFor(msg.ModelId)
	}
	var id uint64
	err = atomic(ctx, func(ctx sdk.Context) error {
		if id, err = s.NextSessionID.Next(ctx); err != nil {
			return err
		}
		sess := types.Session{
			Id: id, Owner: msg.Owner, ModelId: msg.ModelId, Redundancy: msg.Redundancy, Quorum: msg.Quorum,
			MinLevel: msg.MinLevel, PricePerTask: msg.PricePerTask, MaxTokens: msg.MaxTokens,
			Status: types.SESSION_STATUS_ACTIVE, CreatedHeight: ctx.BlockHeight(), Verification: mode,
		}
		if err := s.payments.OpenSession(ctx, id, msg.Owner); err != nil {
			return err
		}
		if err := s.payments.Deposit(ctx, id, sdk.MustAccAddressFromBech32(msg.Owner), msg.Deposit); err != nil {
			return err
		}
		if err := s.Sessions.Set(ctx, id, sess); err != nil {
			return err
		}
		if err := s.SessionsByOwner.Set(ctx, collections.Join(msg.Owner, id)); err != nil {
			return err
		}
		return emit(ctx, &types.EventSessionCreated{
			SessionId: id, Owner: msg.Owner, ModelId: msg.ModelId, Redundancy: msg.Redundancy,
			Quorum: msg.Quorum, PricePerTask: msg.PricePerTask.String(), Verification: mode,
		})
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgCreateSessionResponse{SessionId: id}, nil
}

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

// finishClose refunds a closing session with nothing in flight and marks it closed. The
// caller stores the session.
func (k Keeper) finishClose(ctx context.Context, sess *types.Session) (sdkmath.Int, error) {
	refunded, err := k.payments.Refund(ctx, sess.Id)
	if err != nil {
		return refunded, err
	}
	sess.Status = types.SESSION_STATUS_CLOSED
	sess.ClosedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	return refunded, emit(ctx, &types.EventSessionClosed{SessionId: sess.Id, Refunded: refunded.String()})
}
