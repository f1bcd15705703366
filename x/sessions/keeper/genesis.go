package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/sessions/types"
)

// InitGenesis writes params, counters, sessions and tasks, and rebuilds every queue and
// index from the tasks (they are not exported: the tasks determine them). It refuses a
// state that GenesisState.Validate (what `cortd genesis validate` runs) rejects, before
// writing anything.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.NextSessionID.Set(ctx, gs.NextSessionId); err != nil {
		return err
	}
	if err := k.NextTaskID.Set(ctx, gs.NextTaskId); err != nil {
		return err
	}
	for _, s := range gs.Sessions {
		if err := k.Sessions.Set(ctx, s.Id, s); err != nil {
			return err
		}
		if err := k.SessionsByOwner.Set(ctx, collections.Join(s.Owner, s.Id)); err != nil {
			return err
		}
	}
	for _, t := range gs.Tasks {
		// results are stored apart from the task (copy: never modify the caller's genesis)
		t.Assignments = append([]types.Assignment(nil), t.Assignments...)
		for i := range t.Assignments {
			a := &t.Assignments[i]
			if a.ResultText != "" || len(a.Embedding) > 0 || len(a.Salt) > 0 {
				if err := k.Results.Set(ctx, collections.Join(t.Id, a.NodeId), types.Result{
					ResultText: a.ResultText, Embedding: a.Embedding, Salt: a.Salt,
				}); err != nil {
					return err
				}
			}
			a.ResultText, a.Embedding, a.Salt = "", nil, nil
		}
		if err := k.Tasks.Set(ctx, t.Id, t); err != nil {
			return err
		}
		if err := k.TasksBySession.Set(ctx, collections.Join(t.SessionId, t.Id)); err != nil {
			return err
		}
		if t.Status.Terminal() {
			if t.AuditStatus == types.TASK_AUDIT_STATUS_DRAW_PENDING {
				if err := k.AuditQueue.Set(ctx, collections.Join(t.EndedHeight+1, t.Id)); err != nil {
					return err
				}
			}
			if !t.Pruned {
				if err := k.PruneQueue.Set(ctx, collections.Join(t.EndedHeight+gs.Params.RetentionBlocks, t.Id)); err != nil {
					return err
				}
			}
			continue
		}
		if err := k.Deadlines.Set(ctx, collections.Join(t.Deadline, t.Id)); err != nil {
			return err
		}
		if t.Status == types.TASK_STATUS_QUEUED {
			if err := k.Queue.Set(ctx, collections.Join(t.ReadyHeight, t.Id)); err != nil {
				return err
			}
		}
		for _, a := range t.Assignments {
			if a.Status.Live() {
				if err := k.NodeTasks.Set(ctx, collections.Join(a.NodeId, t.Id)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ExportGenesis reads params, counters, sessions and tasks in id order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	ns, err := k.NextSessionID.Peek(ctx)
	if err != nil {
		return nil, err
	}
	nt, err := k.NextTaskID.Peek(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p, NextSessionId: ns, NextTaskId: nt, Sessions: []types.Session{}, Tasks: []types.Task{}}
	if err := k.Sessions.Walk(ctx, nil, func(_ uint64, s types.Session) (bool, error) {
		gs.Sessions = append(gs.Sessions, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.Tasks.Walk(ctx, nil, func(_ uint64, t types.Task) (bool, error) {
		t, err := k.WithResults(ctx, t)
		gs.Tasks = append(gs.Tasks, t)
		return err != nil, err
	})
	return gs, err
}
