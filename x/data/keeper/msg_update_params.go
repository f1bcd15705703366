package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
)

// UpdateParams replaces the params (authority only). The denom may change only while
// the module holds nothing, so held bonds and rewards keep their denom.
func (s msgServer) UpdateParams(ctx context.Context, m *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if m.Authority != s.k.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", s.k.authority, m.Authority)
	}
	old, err := s.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	acc, err := s.k.Accounting.Get(ctx)
	if err != nil {
		return nil, err
	}
	if old.Denom != m.Params.Denom && !acc.Total().IsZero() {
		return nil, errorsmod.Wrap(types.ErrInvalidParams, "denom cannot change while the module holds funds")
	}
	if err := s.k.checkMintShareTotal(ctx, m.Params.MintShare); err != nil {
		return nil, err
	}
	if err := s.k.Params.Set(ctx, m.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: m.Authority})
}
