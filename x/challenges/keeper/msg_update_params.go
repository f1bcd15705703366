package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/challenges/types"
)

// UpdateParams replaces the params; authority only. Windows and sizes apply to messages
// and challenges posted afterwards; the epoch identifier to the next epoch end.
func (s msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != s.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", s.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkMintShareTotal(ctx, msg.Params.MintShare); err != nil {
		return nil, err
	}
	if err := s.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := emit(ctx, &types.EventParamsUpdated{Params: msg.Params}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
