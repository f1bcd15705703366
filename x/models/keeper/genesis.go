package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/models/types"
)

// InitGenesis writes params and models. The state must have passed GenesisState.Validate.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
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
