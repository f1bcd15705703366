package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/data/types"
)

// InitGenesis writes the state and rebuilds the indexes (open, to-audit, by-epoch) from
// the targets' statuses. It refuses a state that GenesisState.Validate (what `cortd
// genesis validate` runs) rejects, before writing anything: the indexes and the accounting
// below trust what Validate checks.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.NextTargetID.Set(ctx, gs.NextTargetId); err != nil {
		return err
	}
	if err := k.Accounting.Set(ctx, gs.Accounting); err != nil {
		return err
	}
	if err := k.Epoch.Set(ctx, gs.Epoch); err != nil {
		return err
	}
	for _, t := range gs.Targets {
		if err := k.Targets.Set(ctx, t.Id, t); err != nil {
			return err
		}
		if err := k.ByEpoch.Set(ctx, collections.Join(t.Epoch, t.Id)); err != nil {
			return err
		}
		switch t.Status {
		case types.TARGET_STATUS_OPEN:
			if err := k.OpenTargets.Set(ctx, t.Id); err != nil {
				return err
			}
		case types.TARGET_STATUS_FILLED:
			if err := k.ToAudit.Set(ctx, t.Id); err != nil {
				return err
			}
		}
	}
	for _, s := range gs.Submissions {
		if err := k.Submissions.Set(ctx, s.TargetId, s); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis reads the whole state in id order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{Targets: []types.Target{}, Submissions: []types.Submission{}}
	var err error
	if gs.Params, err = k.Params.Get(ctx); err != nil {
		return nil, err
	}
	if gs.NextTargetId, err = k.NextTargetID.Get(ctx); err != nil {
		return nil, err
	}
	if gs.Accounting, err = k.Accounting.Get(ctx); err != nil {
		return nil, err
	}
	if gs.Epoch, err = k.Epoch.Get(ctx); err != nil {
		return nil, err
	}
	if err := k.Targets.Walk(ctx, nil, func(_ uint64, t types.Target) (bool, error) {
		gs.Targets = append(gs.Targets, t)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.Submissions.Walk(ctx, nil, func(_ uint64, s types.Submission) (bool, error) {
		gs.Submissions = append(gs.Submissions, s)
		return false, nil
	})
	return gs, err
}
