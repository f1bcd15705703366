package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// UnbondNode takes the node out of work at once and queues its stake for return after
// unbonding_blocks; the stake stays slashable until then.
func (s msgServer) UnbondNode(ctx context.Context, msg *types.MsgUnbondNode) (*types.MsgUnbondNodeResponse, error) {
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
	if n.Status != types.NODE_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrNodeUnbonding, "%q already unbonding until height %d", n.Id, n.UnbondingCompleteHeight)
	}
	op, err := s.getOperator(ctx, n.Operator)
	if err != nil {
		return nil, err
	}
	n.Status = types.NODE_STATUS_UNBONDING
	n.UnbondingCompleteHeight = sdk.UnwrapSDKContext(ctx).BlockHeight() + p.UnbondingBlocks
	if err := s.Nodes.Set(ctx, n.Id, n); err != nil {
		return nil, err
	}
	if err := s.UnbondingQueue.Set(ctx, collections.Join(n.UnbondingCompleteHeight, n.Id)); err != nil {
		return nil, err
	}
	if op.BondedNodes > 0 {
		op.BondedNodes--
	}
	if err := s.setOperator(ctx, op); err != nil {
		return nil, err
	}
	return &types.MsgUnbondNodeResponse{CompletionHeight: n.UnbondingCompleteHeight}, emit(ctx, &types.EventNodeUnbonding{
		NodeId: n.Id, Stake: sdk.NewCoin(p.Denom, n.Stake).String(), CompletionHeight: n.UnbondingCompleteHeight,
	})
}
