package keeper

import (
	"context"
	"math"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// EndBlocker runs the bounded block work: at most max_deadlines_per_block expired
// deadlines, then at most max_assignments_per_block queued tasks, then at most
// max_prunes_per_block prunings, then the opening and announcement of the block's commit
// phases (one check per task the block's txs precommitted, so bounded by them). Anything
// over a bound waits for the next block; late
// messages are still rejected because each handler compares the height to the deadline.
func (k Keeper) EndBlocker(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	a := k.newAssigner(ctx, p)
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()

	due, err := k.due(ctx, k.Deadlines, h, p.MaxDeadlinesPerBlock)
	if err != nil {
		return err
	}
	for _, key := range due {
		t, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if t.Deadline != key.K1() {
			// stale key (should not exist): drop it
			if err := k.Deadlines.Remove(ctx, key); err != nil {
				return err
			}
			continue
		}
		if err := k.onDeadline(ctx, p, a, t); err != nil {
			return err
		}
	}
	if err := k.drawAudits(ctx, p, h); err != nil {
		return err
	}
	if err := k.assignQueued(ctx, p, a); err != nil {
		return err
	}
	if err := k.prune(ctx, p, h); err != nil {
		return err
	}
	return k.openCommitPhases(ctx, p, h)
}

// due collects up to limit keys of a (height, task id) queue with height <= h.
func (k Keeper) due(ctx context.Context, q collections.KeySet[hPair], h int64, limit uint32) ([]hPair, error) {
	var out []hPair
	rng := new(collections.Range[hPair]).EndInclusive(collections.Join(h, uint64(math.MaxUint64)))
	err := q.Walk(ctx, rng, func(key hPair) (bool, error) {
		out = append(out, key)
		return uint32(len(out)) >= limit, nil
	})
	return out, err
}
