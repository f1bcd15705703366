package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/nodes/types"
)

// indexNode adds the operator and served-model index entries of n.
func (k Keeper) indexNode(ctx context.Context, n types.Node) error {
	if err := k.NodesByOperator.Set(ctx, collections.Join(n.Operator, n.Id)); err != nil {
		return err
	}
	for _, m := range n.Models {
		if err := k.NodesByModel.Set(ctx, collections.Join(m, n.Id)); err != nil {
			return err
		}
	}
	return nil
}

// unindexModels removes the served-model index entries of n (before its models change).
func (k Keeper) unindexModels(ctx context.Context, n types.Node) error {
	for _, m := range n.Models {
		if err := k.NodesByModel.Remove(ctx, collections.Join(m, n.Id)); err != nil {
			return err
		}
	}
	return nil
}

// removeNode deletes a node and everything keyed by it: indexes, unbonding entry, live
// counters of open periods and its history records. The work is bounded by the number of
// open settlements and history_periods.
func (k Keeper) removeNode(ctx context.Context, n types.Node) error {
	if err := k.unindexModels(ctx, n); err != nil {
		return err
	}
	if err := k.NodesByOperator.Remove(ctx, collections.Join(n.Operator, n.Id)); err != nil {
		return err
	}
	if err := k.UnbondingQueue.Remove(ctx, collections.Join(n.UnbondingCompleteHeight, n.Id)); err != nil {
		return err
	}
	period, err := k.Period.Get(ctx)
	if err != nil {
		return err
	}
	periods := []uint64{period.Number}
	if err := k.Settlements.Walk(ctx, nil, func(p uint64, _ types.Settlement) (bool, error) {
		periods = append(periods, p)
		return false, nil
	}); err != nil {
		return err
	}
	for _, p := range periods {
		if err := k.LiveStats.Remove(ctx, collections.Join(p, n.Id)); err != nil {
			return err
		}
	}
	var old []collections.Pair[string, uint64]
	rng := collections.NewPrefixedPairRange[string, uint64](n.Id)
	if err := k.Records.Walk(ctx, rng, func(key collections.Pair[string, uint64], _ types.PeriodRecord) (bool, error) {
		old = append(old, key)
		return false, nil
	}); err != nil {
		return err
	}
	for _, key := range old {
		if err := k.Records.Remove(ctx, key); err != nil {
			return err
		}
	}
	return k.Nodes.Remove(ctx, n.Id)
}
