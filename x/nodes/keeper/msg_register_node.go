package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// RegisterNode checks the pool minimum, the models against x/models and the memory index,
// escrows the stake in the nodes module account and stores the node as active. The node
// is settled from the open period on, with uptime counted from its registration height.
func (s msgServer) RegisterNode(ctx context.Context, msg *types.MsgRegisterNode) (*types.MsgRegisterNodeResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	desc := msg.Description()
	if err := desc.ValidateAgainstParams(p); err != nil {
		return nil, err
	}
	pool, ok := p.Pool(msg.PoolId)
	if !ok {
		return nil, errorsmod.Wrapf(types.ErrUnknownPool, "pool %d", msg.PoolId)
	}
	if msg.Stake.Denom != p.Denom {
		return nil, errorsmod.Wrapf(types.ErrInvalidDenom, "stake must be in %s", p.Denom)
	}
	if msg.Stake.Amount.LT(pool.MinStake) {
		return nil, errorsmod.Wrapf(types.ErrInsufficientStake, "%s < %s%s for pool %d", msg.Stake, pool.MinStake, p.Denom, pool.Id)
	}
	if has, err := s.Nodes.Has(ctx, msg.NodeId); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrNodeExists, "%q", msg.NodeId)
	}
	models := types.SortedModels(msg.Models)
	if err := s.checkModels(ctx, models, msg.MemoryIndexMib); err != nil {
		return nil, err
	}
	period, err := s.Period.Get(ctx)
	if err != nil {
		return nil, err
	}
	op, err := s.getOperator(ctx, msg.Operator)
	if err != nil {
		return nil, err
	}
	operator := sdk.MustAccAddressFromBech32(msg.Operator)
	if err := s.bank.SendCoinsFromAccountToModule(ctx, operator, types.ModuleName, sdk.NewCoins(msg.Stake)); err != nil {
		return nil, errorsmod.Wrapf(err, "escrowing stake %s", msg.Stake)
	}

	nodeAddr := msg.NodeAddress
	if nodeAddr == "" {
		nodeAddr = msg.Operator
	}
	n := types.Node{
		Id: msg.NodeId, Operator: msg.Operator, NodeAddress: nodeAddr, PoolId: msg.PoolId,
		Stake: msg.Stake.Amount, Endpoint: msg.Endpoint, Spec: msg.Spec, MemoryIndexMib: msg.MemoryIndexMib,
		Models: models, LoadedModels: []string{}, Status: types.NODE_STATUS_ACTIVE,
		RegisteredHeight: sdk.UnwrapSDKContext(ctx).BlockHeight(),
		Reputation:       sdkmath.LegacyZeroDec(), AccruedRewards: sdkmath.ZeroInt(),
		// Closed periods still settling predate the node: skip them.
		LastSettledPeriod: period.Number - 1,
	}
	if err := s.Nodes.Set(ctx, n.Id, n); err != nil {
		return nil, err
	}
	if err := s.indexNode(ctx, n); err != nil {
		return nil, err
	}
	op.BondedNodes++
	if op.FirstPeriod == 0 { // the operator's first node: new_operator_window counts from here
		op.FirstPeriod = period.Number
	}
	if err := s.setOperator(ctx, op); err != nil {
		return nil, err
	}
	return &types.MsgRegisterNodeResponse{}, emit(ctx, &types.EventNodeRegistered{
		NodeId: n.Id, Operator: n.Operator, NodeAddress: n.NodeAddress, PoolId: n.PoolId, Stake: msg.Stake.String(),
		Endpoint: n.Endpoint, MemoryIndexMib: n.MemoryIndexMib, Models: n.Models,
	})
}
