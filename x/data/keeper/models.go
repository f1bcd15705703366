package keeper

import (
	"context"

	modelskeeper "github.com/cortnet/cortd/x/models/keeper"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// ModelRegistry is what x/data reads from x/models. x/models exports no walk method, so
// the app passes ModelsRegistry(modelsKeeper), which walks its Models collection.
type ModelRegistry interface {
	GetModel(ctx context.Context, id string) (modelstypes.Model, error)
	// WalkModels visits models in id order until fn returns true or limit were visited.
	WalkModels(ctx context.Context, limit uint32, fn func(modelstypes.Model) bool) error
}

type registry struct{ k modelskeeper.Keeper }

// ModelsRegistry adapts the x/models keeper.
func ModelsRegistry(k modelskeeper.Keeper) ModelRegistry { return registry{k: k} }

func (r registry) GetModel(ctx context.Context, id string) (modelstypes.Model, error) {
	return r.k.GetModel(ctx, id)
}

func (r registry) WalkModels(ctx context.Context, limit uint32, fn func(modelstypes.Model) bool) error {
	var n uint32
	return r.k.Models.Walk(ctx, nil, func(_ string, m modelstypes.Model) (bool, error) {
		n++
		return fn(m) || n >= limit, nil
	})
}
