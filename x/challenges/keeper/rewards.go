package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
	"github.com/cortnet/cortd/x/internal/mintshare"
)

// BeginBlocker moves mint_share of this block's provision from the fee collector into the
// rewards pool (after x/mint filled it, before x/distribution sweeps it), capped at the
// fee collector's balance so it never fails for lack of funds.
func (k Keeper) BeginBlocker(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	share, err := mintshare.Amount(ctx, k.mint, k.bank, k.account.GetModuleAddress(k.feeCollector), p.MintShare, p.EpochEmission.Denom)
	if err != nil || !share.IsPositive() {
		return err
	}
	coin := sdk.NewCoin(p.EpochEmission.Denom, share)
	if err := k.bank.SendCoinsFromModuleToModule(ctx, k.feeCollector, types.RewardsPoolName, sdk.NewCoins(coin)); err != nil {
		return err
	}
	return emit(ctx, &types.EventMintShare{Amount: coin.String()})
}

// PendingOf returns a node's pending rewards (zero if none).
func (k Keeper) PendingOf(ctx context.Context, nodeID string) (sdkmath.Int, error) {
	v, err := k.Pending.Get(ctx, nodeID)
	if errors.Is(err, collections.ErrNotFound) {
		return sdkmath.ZeroInt(), nil
	}
	return v, err
}

// pendingTotal returns the sum of pending rewards.
func (k Keeper) pendingTotal(ctx context.Context) (sdkmath.Int, error) {
	v, err := k.PendingTotal.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return sdkmath.ZeroInt(), nil
	}
	return v, err
}

// poolBalance is the rewards pool's balance in the emission denom.
func (k Keeper) poolBalance(ctx context.Context, denom string) sdkmath.Int {
	return k.bank.GetBalance(ctx, k.account.GetModuleAddress(types.RewardsPoolName), denom).Amount
}

// WithdrawRewards pays a node's pending rewards to its current operator (x/nodes).
func (k Keeper) WithdrawRewards(ctx context.Context, msg *types.MsgWithdrawRewards) (sdk.Coin, error) {
	op, err := sdk.AccAddressFromBech32(msg.Operator)
	if err != nil {
		return sdk.Coin{}, errorsmod.Wrapf(types.ErrInvalidAddress, "operator: %v", err)
	}
	if err := types.ValidateNodeID(msg.NodeId); err != nil {
		return sdk.Coin{}, err
	}
	n, err := k.nodes.GetNode(ctx, msg.NodeId)
	if err != nil {
		return sdk.Coin{}, errorsmod.Wrapf(types.ErrNodeNotFound, "%s", msg.NodeId)
	}
	if n.Operator != msg.Operator {
		return sdk.Coin{}, errorsmod.Wrapf(types.ErrNotNodeOperator, "node %s", msg.NodeId)
	}
	amt, err := k.PendingOf(ctx, msg.NodeId)
	if err != nil {
		return sdk.Coin{}, err
	}
	if !amt.IsPositive() {
		return sdk.Coin{}, errorsmod.Wrapf(types.ErrNoRewards, "node %s", msg.NodeId)
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return sdk.Coin{}, err
	}
	total, err := k.pendingTotal(ctx)
	if err != nil {
		return sdk.Coin{}, err
	}
	coin := sdk.NewCoin(p.EpochEmission.Denom, amt)
	if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.RewardsPoolName, op, sdk.NewCoins(coin)); err != nil {
		return sdk.Coin{}, err
	}
	if err := k.Pending.Remove(ctx, msg.NodeId); err != nil {
		return sdk.Coin{}, err
	}
	if err := k.PendingTotal.Set(ctx, total.Sub(amt)); err != nil {
		return sdk.Coin{}, err
	}
	return coin, emit(ctx, &types.EventRewardsWithdrawn{NodeId: msg.NodeId, Operator: msg.Operator, Amount: coin.String()})
}
