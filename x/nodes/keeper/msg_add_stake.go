package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// AddStake escrows more stake for a bonded node.
func (s msgServer) AddStake(ctx context.Context, msg *types.MsgAddStake) (*types.MsgAddStakeResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Amount.Denom != p.Denom {
		return nil, errorsmod.Wrapf(types.ErrInvalidDenom, "stake must be in %s", p.Denom)
	}
	n, err := s.operatorNode(ctx, msg.Operator, msg.NodeId)
	if err != nil {
		return nil, err
	}
	if n.Status != types.NODE_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrNodeUnbonding, "%q", n.Id)
	}
	operator := sdk.MustAccAddressFromBech32(msg.Operator)
	if err := s.bank.SendCoinsFromAccountToModule(ctx, operator, types.ModuleName, sdk.NewCoins(msg.Amount)); err != nil {
		return nil, errorsmod.Wrapf(err, "escrowing stake %s", msg.Amount)
	}
	n.Stake = n.Stake.Add(msg.Amount.Amount)
	if err := s.noteStakeRestored(ctx, p, &n); err != nil {
		return nil, err
	}
	if err := s.Nodes.Set(ctx, n.Id, n); err != nil {
		return nil, err
	}
	return &types.MsgAddStakeResponse{}, emit(ctx, &types.EventStakeAdded{
		NodeId: n.Id, Amount: msg.Amount.String(), Stake: sdk.NewCoin(p.Denom, n.Stake).String(),
	})
}
