package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// WithdrawRewards pays the node's accrued rewards to its operator.
func (s msgServer) WithdrawRewards(ctx context.Context, msg *types.MsgWithdrawRewards) (*types.MsgWithdrawRewardsResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.operatorNode(ctx, msg.Operator, msg.NodeId)
	if err != nil {
		return nil, err
	}
	if !n.AccruedRewards.IsPositive() {
		return nil, errorsmod.Wrapf(types.ErrNoRewards, "node %q", n.Id)
	}
	amount := sdk.NewCoin(p.Denom, n.AccruedRewards)
	operator := sdk.MustAccAddressFromBech32(n.Operator)
	if err := s.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, operator, sdk.NewCoins(amount)); err != nil {
		return nil, err
	}
	n.AccruedRewards = sdkmath.ZeroInt()
	if err := s.Nodes.Set(ctx, n.Id, n); err != nil {
		return nil, err
	}
	return &types.MsgWithdrawRewardsResponse{Amount: amount}, emit(ctx, &types.EventRewardsWithdrawn{
		NodeId: n.Id, Operator: n.Operator, Amount: amount.String(),
	})
}
