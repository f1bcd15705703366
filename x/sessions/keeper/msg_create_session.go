package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

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
