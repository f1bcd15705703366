package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/sessions/types"
)

// announceCommitPhases emits EventCommitPhase for every task whose commit phase opened
// in block h, and forgets them. The phase opens inside a tx (the task's last
// precommit) or at a precommit deadline; announcing it here, with the block's other
// task events (assigned, ended), lets a miner follow the whole task lifecycle from the
// block's events alone. A tx event would make every miner subscribe to every precommit
// tx, which the node then encodes to JSON once per subscriber: under load that was
// more of the node's CPU than executing the txs. A task that already ended in this
// block (every reveal in the same block) is not announced: its EventTaskEnded says it.
func (k Keeper) announceCommitPhases(ctx context.Context, h int64) error {
	var keys []hPair
	rng := collections.NewPrefixedPairRange[int64, uint64](h)
	if err := k.CommitOpened.Walk(ctx, rng, func(key hPair) (bool, error) {
		keys = append(keys, key)
		return false, nil
	}); err != nil {
		return err
	}
	for _, key := range keys {
		if err := k.CommitOpened.Remove(ctx, key); err != nil {
			return err
		}
		t, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return err
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
