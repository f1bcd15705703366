package keeper

import (
	"context"
	"iter"
	"slices"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// Inactive reports whether a node has missed more than max_missed_heartbeats heartbeat
// intervals (or never sent one) at height (types.Inactive).
func Inactive(p types.Params, n types.Node, height int64) bool { return types.Inactive(p, n, height) }

// available reports whether the node can take new work at all (types.Available: bonded,
// heartbeating, stake at its pool's minimum).
func available(p types.Params, n types.Node, height int64) bool { return types.Available(p, n, height) }

// IsEligible reports whether node nodeID can take new work for modelID at minLevel now:
// active, not unbonding, not inactive from missed heartbeats, stake at the pool minimum,
// level >= minLevel, serving the model, and the (active) model fits its memory index.
func (k Keeper) IsEligible(ctx context.Context, nodeID, modelID string, minLevel uint32) (bool, error) {
	n, err := k.GetNode(ctx, nodeID)
	if err != nil {
		return false, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return false, err
	}
	model, err := k.models.GetActiveModel(ctx, modelID)
	if err != nil {
		return false, nil //nolint:nilerr // an unknown or retired model has no eligible node
	}
	_, serves := slices.BinarySearch(n.Models, modelID)
	return serves && n.Level >= minLevel && model.MemoryMib <= n.MemoryIndexMib &&
		available(p, n, sdk.UnwrapSDKContext(ctx).BlockHeight()), nil
}

// EligibleNodes yields, in node id order, the nodes that IsEligible would accept for
// modelID at minLevel. It walks only the nodes serving the model (the NodesByModel index).
// An unknown or retired model yields its error once. Stop ranging to stop the walk.
func (k Keeper) EligibleNodes(ctx context.Context, modelID string, minLevel uint32) iter.Seq2[types.Node, error] {
	return func(yield func(types.Node, error) bool) {
		p, err := k.Params.Get(ctx)
		if err != nil {
			yield(types.Node{}, err)
			return
		}
		model, err := k.models.GetActiveModel(ctx, modelID)
		if err != nil {
			yield(types.Node{}, err)
			return
		}
		height := sdk.UnwrapSDKContext(ctx).BlockHeight()
		rng := collections.NewPrefixedPairRange[string, string](modelID)
		err = k.NodesByModel.Walk(ctx, rng, func(key collections.Pair[string, string]) (bool, error) {
			n, err := k.Nodes.Get(ctx, key.K2())
			if err != nil {
				return true, err
			}
			if n.Level < minLevel || model.MemoryMib > n.MemoryIndexMib || !available(p, n, height) {
				return false, nil
			}
			return !yield(n, nil), nil
		})
		if err != nil {
			yield(types.Node{}, err)
		}
	}
}

// LoadedModels returns the models the node reported warm in its last heartbeat.
func (k Keeper) LoadedModels(ctx context.Context, nodeID string) ([]string, error) {
	n, err := k.GetNode(ctx, nodeID)
	if err != nil {
		return nil, err
	}
	return n.LoadedModels, nil
}
