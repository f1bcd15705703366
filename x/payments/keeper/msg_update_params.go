package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// UpdateParams replaces the params; authority only. Changing the denom while escrow is
// held would strand it, so the denom may only change while the module holds nothing.
func (s msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != s.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", s.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	old, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if old.Denom != msg.Params.Denom {
		total, err := s.trackedTotal(ctx)
		if err != nil {
			return nil, err
		}
		if !total.IsZero() {
			return nil, errorsmod.Wrapf(types.ErrInvalidParams, "denom cannot change while %s%s is held", total, old.Denom)
		}
	}
	if err := s.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: msg.Authority}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
