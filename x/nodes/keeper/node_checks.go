package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

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
