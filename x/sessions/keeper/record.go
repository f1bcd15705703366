package keeper

import (
	"context"
	"errors"

	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// record reports a node's stat to x/nodes. A node that no longer exists (fully unbonded
// and removed) has no stats to keep, so its ErrNodeNotFound is ignored: EndBlock must
// not fail on it.
func (k Keeper) record(ctx context.Context, f func(context.Context, string) error, nodeID string) error {
	if err := f(ctx, nodeID); err != nil && !errors.Is(err, nodestypes.ErrNodeNotFound) {
		return err
	}
	return nil
}

// recordOnTime reports an on-time precommit or commit. Late messages are rejected, so
// every recorded one is on time; a missed window shows in x/nodes as an assignment
// without a precommit (or commit).
func (k Keeper) recordOnTime(ctx context.Context, f func(context.Context, string, bool) error, nodeID string) error {
	return k.record(ctx, func(c context.Context, id string) error { return f(c, id, true) }, nodeID)
}
