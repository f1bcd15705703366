package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/sessions/types"
)

// openCommitPhases opens and announces the commit phases of block h, and forgets the
// block's precommitted tasks. A task whose every live assignment precommitted in this
// block's txs opens here; one whose precommit deadline opened it earlier in this
// EndBlock is only announced; one still waiting for precommits (or already ended) is
// neither. Announcing with the block's other task events (assigned, ended) lets a miner
// follow the whole task lifecycle from the block's events alone: a tx event would make
// every miner subscribe to every precommit tx, which the node then encodes to JSON once
// per subscriber (under load, more of the node's CPU than executing the txs). The work
// is bounded by the block's precommit messages.
func (k Keeper) openCommitPhases(ctx context.Context, p types.Params, h int64) error {
	var keys []hPair
	rng := collections.NewPrefixedPairRange[int64, uint64](h)
	if err := k.Precommitted.Walk(ctx, rng, func(key hPair) (bool, error) {
		keys = append(keys, key)
		return false, nil
	}); err != nil {
		return err
	}
	for _, key := range keys {
		if err := k.Precommitted.Remove(ctx, key); err != nil {
			return err
		}
		t, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if t.Status == types.TASK_STATUS_PRECOMMIT && countStatus(t, types.ASSIGNMENT_STATUS_ASSIGNED) == 0 {
			if err := k.openCommitPhase(ctx, p, &t); err != nil {
				return err
			}
			if err := k.Tasks.Set(ctx, t.Id, t); err != nil {
				return err
			}
		}
		if t.Status != types.TASK_STATUS_COMMIT {
			continue
		}
		var ids []string
		for _, a := range t.Assignments {
			if a.Status == types.ASSIGNMENT_STATUS_PRECOMMITTED {
				ids = append(ids, a.NodeId)
			}
		}
		if err := emit(ctx, &types.EventCommitPhase{TaskId: t.Id, CommitDeadline: t.Deadline, NodeIds: ids}); err != nil {
			return err
		}
	}
	return nil
}
