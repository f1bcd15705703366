package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/models/types"
)

// WalkModels visits models in id order until fn returns true or limit were visited (at
// least one is visited when any exists). Other modules read the registry through it (x/data
// picks a target's models from the active ones), so they need no access to the Models
// collection itself; the limit bounds their per-block work.
func (k Keeper) WalkModels(ctx context.Context, limit uint32, fn func(types.Model) bool) error {
	var n uint32
	return k.Models.Walk(ctx, nil, func(_ string, m types.Model) (bool, error) {
		n++
		return fn(m) || n >= limit, nil
	})
}
