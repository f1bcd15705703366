package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
)

// FundPool moves coins of params.denom from the funder into the rewards pool.
func (s msgServer) FundPool(ctx context.Context, m *types.MsgFundPool) (*types.MsgFundPoolResponse, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	acc, err := s.k.Accounting.Get(ctx)
	if err != nil {
		return nil, err
	}
	funder, _ := sdk.AccAddressFromBech32(m.Funder)
	if err := s.k.bank.SendCoinsFromAccountToModule(ctx, funder, types.ModuleName, sdk.NewCoins(sdk.NewCoin(p.Denom, m.Amount))); err != nil {
		return nil, err
	}
	acc.Pool = acc.Pool.Add(m.Amount)
	if err := s.k.Accounting.Set(ctx, acc); err != nil {
		return nil, err
	}
	return &types.MsgFundPoolResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPoolFunded{
		Funder: m.Funder, Amount: sdk.NewCoin(p.Denom, m.Amount).String(),
	})
}
