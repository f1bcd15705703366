package keeper

import (
	"context"
	"errors"
	"slices"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/nodes/types"
)

// updateLiveStats applies f to the node's counters of the open period. The node must exist,
// so a caller's typo cannot create counters nobody settles.
func (k Keeper) updateLiveStats(ctx context.Context, nodeID string, f func(*types.PeriodStats)) error {
	if has, err := k.Nodes.Has(ctx, nodeID); err != nil {
		return err
	} else if !has {
		return types.ErrNodeNotFound.Wrapf("%q", nodeID)
	}
	period, err := k.Period.Get(ctx)
	if err != nil {
		return err
	}
	key := collections.Join(period.Number, nodeID)
	st, err := k.LiveStats.Get(ctx, key)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	f(&st)
	return k.LiveStats.Set(ctx, key, st)
}

// RecordAssignment counts a task assigned to the node (x/sessions).
func (k Keeper) RecordAssignment(ctx context.Context, nodeID string) error {
	return k.updateLiveStats(ctx, nodeID, func(s *types.PeriodStats) { s.Assigned++ })
}

// RecordAssignmentFor counts a task for modelID assigned to the node, like
// RecordAssignment, and also as a warm assignment when the node's last heartbeat claimed
// modelID loaded: the disqualification rule for claims the node does not honour
// (warm_precommit_misses) reads that count.
func (k Keeper) RecordAssignmentFor(ctx context.Context, nodeID, modelID string) error {
	n, err := k.GetNode(ctx, nodeID)
	if err != nil {
		return err
	}
	_, warm := slices.BinarySearch(n.LoadedModels, modelID)
	return k.updateLiveStats(ctx, nodeID, func(s *types.PeriodStats) {
		s.Assigned++
		if warm {
			s.WarmAssigned++
		}
	})
}

// RecordPrecommit counts a precommit, on time or late (x/sessions).
func (k Keeper) RecordPrecommit(ctx context.Context, nodeID string, onTime bool) error {
	return k.updateLiveStats(ctx, nodeID, func(s *types.PeriodStats) {
		if onTime {
			s.PrecommitsOnTime++
		} else {
			s.PrecommitsLate++
		}
	})
}

// RecordCommit counts a commit (reveal), on time or late (x/sessions).
func (k Keeper) RecordCommit(ctx context.Context, nodeID string, onTime bool) error {
	return k.updateLiveStats(ctx, nodeID, func(s *types.PeriodStats) {
		if onTime {
			s.CommitsOnTime++
		} else {
			s.CommitsLate++
		}
	})
}

// RecordValidated counts a result that passed validation (x/sessions).
func (k Keeper) RecordValidated(ctx context.Context, nodeID string) error {
	return k.updateLiveStats(ctx, nodeID, func(s *types.PeriodStats) { s.Validated++ })
}

// RecordRejected counts a result that failed validation (x/sessions).
func (k Keeper) RecordRejected(ctx context.Context, nodeID string) error {
	return k.updateLiveStats(ctx, nodeID, func(s *types.PeriodStats) { s.Rejected++ })
}
