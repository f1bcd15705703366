package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// WithdrawRewards pays a node's pending rewards to its operator.
func (s msgServer) WithdrawRewards(ctx context.Context, msg *types.MsgWithdrawRewards) (*types.MsgWithdrawRewardsResponse, error) {
	coin, err := s.Keeper.WithdrawRewards(ctx, msg)
	if err != nil {
		return nil, err
	}
	return &types.MsgWithdrawRewardsResponse{Amount: coin}, nil
}
