package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// WithdrawPayments pays the operator's whole pending balance out of the module account.
func (s msgServer) WithdrawPayments(ctx context.Context, msg *types.MsgWithdrawPayments) (*types.MsgWithdrawPaymentsResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	amount, err := s.GetPending(ctx, msg.Operator)
	if err != nil {
		return nil, err
	}
	if !amount.IsPositive() {
		return nil, errorsmod.Wrapf(types.ErrNothingToWithdraw, "%s", msg.Operator)
	}
	denom, err := s.Denom(ctx)
	if err != nil {
		return nil, err
	}
	coin := sdk.NewCoin(denom, amount)
	if err := s.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, sdk.MustAccAddressFromBech32(msg.Operator), sdk.NewCoins(coin)); err != nil {
		return nil, errorsmod.Wrapf(err, "paying %s", coin)
	}
	if err := s.Pending.Remove(ctx, msg.Operator); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPaymentsWithdrawn{
		Operator: msg.Operator, Amount: coin.String(),
	}); err != nil {
		return nil, err
	}
	return &types.MsgWithdrawPaymentsResponse{Amount: amount}, nil
}
