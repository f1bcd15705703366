package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/sessions/types"
)

// assignmentFor finds the node's assignment on the task and checks that sender is the
// node's key or its operator.
func (k Keeper) assignmentFor(ctx context.Context, t *types.Task, nodeID, sender string) (int, error) {
	idx := -1
	for i := range t.Assignments {
		if t.Assignments[i].NodeId == nodeID {
			idx = i
		}
	}
	if idx < 0 {
		return -1, errorsmod.Wrapf(types.ErrNotAssigned, "node %q on task %d", nodeID, t.Id)
	}
	n, err := k.nodes.GetNode(ctx, nodeID)
	if err != nil {
		return -1, err
	}
	if sender != n.NodeAddress && sender != n.Operator {
		return -1, errorsmod.Wrapf(types.ErrNotNodeKey, "node %q signs with %s or %s", nodeID, n.NodeAddress, n.Operator)
	}
	return idx, nil
}

func countStatus(t types.Task, st types.AssignmentStatus) int {
	n := 0
	for _, a := range t.Assignments {
		if a.Status == st {
			n++
		}
	}
	return n
}
