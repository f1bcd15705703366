package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/nodes/types"
)

// UpdateParams replaces the params; authority only. The denom cannot change: stakes and
// rewards already held are accounted in it.
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
		return nil, errorsmod.Wrapf(types.ErrInvalidParams, "denom cannot change from %s", old.Denom)
	}
	if err := s.checkMintShareTotal(ctx, msg.Params.MintShare); err != nil {
		return nil, err
	}
	if err := s.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, emit(ctx, &types.EventParamsUpdated{Authority: msg.Authority})
}
