package keeper

import (
	"context"
	"slices"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// checkModels verifies that every model exists, is active and fits the memory index.
func (k Keeper) checkModels(ctx context.Context, models []string, memoryIndexMiB uint64) error {
	for _, id := range models {
		m, err := k.models.GetActiveModel(ctx, id)
		if err != nil {
			return errorsmod.Wrapf(types.ErrUnknownModel, "%q: %v", id, err)
		}
		if m.MemoryMib > memoryIndexMiB {
			return errorsmod.Wrapf(types.ErrModelTooLarge, "model %q needs %d MiB, memory index is %d MiB", id, m.MemoryMib, memoryIndexMiB)
		}
	}
	return nil
}

// operatorNode loads a node and checks that sender operates it.
func (k Keeper) operatorNode(ctx context.Context, sender, nodeID string) (types.Node, error) {
	n, err := k.GetNode(ctx, nodeID)
	if err != nil {
		return n, err
	}
	if n.Operator != sender {
		return n, errorsmod.Wrapf(types.ErrNotOperator, "node %q is operated by %s", nodeID, n.Operator)
	}
	return n, nil
}

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

// UpdateNode replaces the endpoint, spec, memory index and models (and optionally the
// heartbeat key) of a bonded node. Loaded models no longer served are dropped.
func (s msgServer) UpdateNode(ctx context.Context, msg *types.MsgUpdateNode) (*types.MsgUpdateNodeResponse, error) {
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
	n, err := s.operatorNode(ctx, msg.Operator, msg.NodeId)
	if err != nil {
		return nil, err
	}
	if n.Status != types.NODE_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrNodeUnbonding, "%q", n.Id)
	}
	models := types.SortedModels(msg.Models)
	if err := s.checkModels(ctx, models, msg.MemoryIndexMib); err != nil {
		return nil, err
	}
	if err := s.unindexModels(ctx, n); err != nil {
		return nil, err
	}
	n.Endpoint, n.Spec, n.MemoryIndexMib, n.Models = msg.Endpoint, msg.Spec, msg.MemoryIndexMib, models
	n.LoadedModels = slices.DeleteFunc(n.LoadedModels, func(m string) bool {
		_, served := slices.BinarySearch(models, m)
		return !served
	})
	if msg.NodeAddress != "" {
		n.NodeAddress = msg.NodeAddress
	}
	if err := s.Nodes.Set(ctx, n.Id, n); err != nil {
		return nil, err
	}
	if err := s.indexNode(ctx, n); err != nil {
		return nil, err
	}
	return &types.MsgUpdateNodeResponse{}, emit(ctx, &types.EventNodeUpdated{
		NodeId: n.Id, Endpoint: n.Endpoint, MemoryIndexMib: n.MemoryIndexMib, Models: n.Models, NodeAddress: n.NodeAddress,
	})
}

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
