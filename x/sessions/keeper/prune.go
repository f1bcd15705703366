package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/sessions/types"
)

// prune drops the bulky payloads (prompt, result texts, embeddings, salts, the consensus
// text) of tasks that ended retention_blocks ago, at most max_prunes_per_block per block.
// Hashes (prompt, results, consensus), token counts, statuses and payments remain.
func (k Keeper) prune(ctx context.Context, p types.Params, h int64) error {
	due, err := k.due(ctx, k.PruneQueue, h, p.MaxPrunesPerBlock)
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.PruneQueue.Remove(ctx, key); err != nil {
			return err
		}
		t, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if deferred, err := k.deferPrune(ctx, t); err != nil || deferred {
			if err != nil {
				return err
			}
			continue // its audit still needs the results (audit.go)
		}
		t.Prompt = ""
		t.ResultText = ""
		for _, a := range t.Assignments {
			if err := k.Results.Remove(ctx, collections.Join(t.Id, a.NodeId)); err != nil {
				return err
			}
		}
		t.Pruned = true
		if err := k.Tasks.Set(ctx, t.Id, t); err != nil {
			return err
		}
	}
	return nil
}
