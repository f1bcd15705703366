package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// completeUnbondings returns the stake (and any unwithdrawn rewards) of nodes whose
// unbonding ended at or before this height, at most max_unbondings_per_block per block
// (the rest wait for the next block), and deletes the nodes.
func (k Keeper) completeUnbondings(ctx context.Context, p types.Params) error {
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	var due []collections.Pair[int64, string]
	rng := new(collections.Range[collections.Pair[int64, string]]).
		EndExclusive(collections.Join(height+1, ""))
	if err := k.UnbondingQueue.Walk(ctx, rng, func(key collections.Pair[int64, string]) (bool, error) {
		due = append(due, key)
		return uint32(len(due)) >= p.MaxUnbondingsPerBlock, nil
	}); err != nil {
		return err
	}
	for _, key := range due {
		n, err := k.GetNode(ctx, key.K2())
		if err != nil {
			return err
		}
		returned := n.Stake.Add(n.AccruedRewards)
		coin := sdk.NewCoin(p.Denom, returned)
		if returned.IsPositive() {
			if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, sdk.MustAccAddressFromBech32(n.Operator), sdk.NewCoins(coin)); err != nil {
				return err
			}
		}
		if err := k.removeNode(ctx, n); err != nil {
			return err
		}
		// The operator record may now hold nothing (no bonded nodes, no roles).
		op, err := k.getOperator(ctx, n.Operator)
		if err != nil {
			return err
		}
		if err := k.setOperator(ctx, op); err != nil {
			return err
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventNodeUnbonded{
			NodeId: n.Id, Operator: n.Operator, Returned: coin.String(),
		}); err != nil {
			return err
		}
	}
	return nil
}
