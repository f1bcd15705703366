package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// FundRewardsPool moves coins of the params denom from the sender to the rewards pool.
func (s msgServer) FundRewardsPool(ctx context.Context, msg *types.MsgFundRewardsPool) (*types.MsgFundRewardsPoolResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Amount.Denom != p.Denom {
		return nil, errorsmod.Wrapf(types.ErrInvalidDenom, "expected %s, got %s", p.Denom, msg.Amount.Denom)
	}
	sender := sdk.MustAccAddressFromBech32(msg.Sender)
	if err := s.bank.SendCoinsFromAccountToModule(ctx, sender, types.RewardsPoolName, sdk.NewCoins(msg.Amount)); err != nil {
		return nil, errorsmod.Wrapf(err, "funding rewards pool with %s", msg.Amount)
	}
	return &types.MsgFundRewardsPoolResponse{}, emit(ctx, &types.EventRewardsPoolFunded{Sender: msg.Sender, Amount: msg.Amount.String()})
}
