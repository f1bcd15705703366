package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/nodes/types"
)

// InitGenesis writes the state and rebuilds the indexes (by operator, by model, the
// unbonding queue) from the nodes. It refuses a state that GenesisState.Validate (what
// `cortd genesis validate` runs) rejects, before writing anything: the indexes below trust
// the cross references Validate checks.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.Period.Set(ctx, gs.Period); err != nil {
		return err
	}
	for _, n := range gs.Nodes {
		if err := k.Nodes.Set(ctx, n.Id, n); err != nil {
			return err
		}
		if err := k.indexNode(ctx, n); err != nil {
			return err
		}
		if n.Status == types.NODE_STATUS_UNBONDING {
			if err := k.UnbondingQueue.Set(ctx, collections.Join(n.UnbondingCompleteHeight, n.Id)); err != nil {
				return err
			}
		}
	}
	for _, op := range gs.Operators {
		if err := k.Operators.Set(ctx, op.Address, op); err != nil {
			return err
		}
	}
	for _, s := range gs.Settlements {
		if err := k.Settlements.Set(ctx, s.Period, s); err != nil {
			return err
		}
	}
	for _, ls := range gs.LiveStats {
		if err := k.LiveStats.Set(ctx, collections.Join(ls.Period, ls.NodeId), ls.Stats); err != nil {
			return err
		}
	}
	for _, r := range gs.Records {
		if err := k.Records.Set(ctx, collections.Join(r.NodeId, r.Period), r); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis reads the whole state in key order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	period, err := k.Period.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{
		Params: params, Period: period, Nodes: []types.Node{}, Operators: []types.Operator{},
		Settlements: []types.Settlement{}, LiveStats: []types.LiveStats{}, Records: []types.PeriodRecord{},
	}
	if err := k.Nodes.Walk(ctx, nil, func(_ string, n types.Node) (bool, error) {
		gs.Nodes = append(gs.Nodes, n)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Operators.Walk(ctx, nil, func(_ string, op types.Operator) (bool, error) {
		gs.Operators = append(gs.Operators, op)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Settlements.Walk(ctx, nil, func(_ uint64, s types.Settlement) (bool, error) {
		gs.Settlements = append(gs.Settlements, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.LiveStats.Walk(ctx, nil, func(key collections.Pair[uint64, string], st types.PeriodStats) (bool, error) {
		gs.LiveStats = append(gs.LiveStats, types.LiveStats{Period: key.K1(), NodeId: key.K2(), Stats: st})
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.Records.Walk(ctx, nil, func(_ collections.Pair[string, uint64], r types.PeriodRecord) (bool, error) {
		gs.Records = append(gs.Records, r)
		return false, nil
	})
	return gs, err
}
