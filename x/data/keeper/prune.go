package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
)

// final reports whether a target can never change again (its money has all left or
// moved back to the pool), so it may be pruned.
func final(s types.TargetStatus) bool {
	return s == types.TARGET_STATUS_EXPIRED || s == types.TARGET_STATUS_CLAIMED || s == types.TARGET_STATUS_FRAUD
}

// retained reports whether targets of epoch are still inside the retention window.
func retained(p types.Params, current, epoch int64) bool {
	return epoch > current-int64(p.RetentionEpochs)
}

// deleteTarget removes a target, its submission and its index entry.
func (k Keeper) deleteTarget(ctx context.Context, t types.Target) error {
	if err := k.Targets.Remove(ctx, t.Id); err != nil {
		return err
	}
	if err := k.Submissions.Remove(ctx, t.Id); err != nil {
		return err
	}
	return k.ByEpoch.Remove(ctx, collections.Join(t.Epoch, t.Id))
}

// pruneEpoch deletes the final targets of the epoch that just left the retention window.
// Work is bounded by the targets opened in one epoch. A target that is not final then
// (PASSED and unclaimed, or still AUDITING) is deleted when it becomes final (pruneIfOld).
func (k Keeper) pruneEpoch(ctx context.Context, p types.Params, current int64) error {
	epoch := current - int64(p.RetentionEpochs)
	if epoch < 1 {
		return nil
	}
	var ids []uint64
	rng := collections.NewPrefixedPairRange[int64, uint64](epoch)
	if err := k.ByEpoch.Walk(ctx, rng, func(key collections.Pair[int64, uint64]) (bool, error) {
		ids = append(ids, key.K2())
		return false, nil
	}); err != nil {
		return err
	}
	var n uint32
	for _, id := range ids {
		t, err := k.GetTarget(ctx, id)
		if err != nil {
			return err
		}
		if !final(t.Status) {
			continue
		}
		if err := k.deleteTarget(ctx, t); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return nil
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventTargetsPruned{Epoch: epoch, Count: n})
}

// pruneIfOld deletes a target that became final after its epoch left the window.
func (k Keeper) pruneIfOld(ctx context.Context, t types.Target) error {
	if !final(t.Status) {
		return nil
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	es, err := k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	if retained(p, es.Epoch, t.Epoch) {
		return nil
	}
	return k.deleteTarget(ctx, t)
}
