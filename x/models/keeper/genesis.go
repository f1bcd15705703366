package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/models/types"
)

// InitGenesis writes params and models. It refuses a state that GenesisState.Validate
// (what `cortd genesis validate` runs) rejects, before writing anything: a duplicate id
// would otherwise overwrite the earlier model silently.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, m := range gs.Models {
		if err := k.Models.Set(ctx, m.Id, m); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis reads params and all models in id order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params, Models: []types.Model{}}
	err = k.Models.Walk(ctx, nil, func(_ string, m types.Model) (bool, error) {
		gs.Models = append(gs.Models, m)
		return false, nil
	})
	return gs, err
}
