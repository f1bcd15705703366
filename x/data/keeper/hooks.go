package keeper

import (
	"context"

	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
)

// Hooks receives x/epochs callbacks for the data epoch (params.epoch_identifier).
// x/epochs runs each hook in a cached context and drops its writes on error, so a store
// error here leaves the epoch's targets unopened rather than half-opened.
type Hooks struct{ k Keeper }

var _ epochstypes.EpochHooks = Hooks{}

// Hooks returns the epoch hooks to register with the epochs keeper.
func (k Keeper) Hooks() Hooks { return Hooks{k: k} }

func (h Hooks) ours(ctx context.Context, identifier string) (bool, error) {
	p, err := h.k.Params.Get(ctx)
	if err != nil {
		return false, err
	}
	return identifier == p.EpochIdentifier, nil
}

// BeforeEpochStart opens the new epoch's targets.
func (h Hooks) BeforeEpochStart(ctx context.Context, identifier string, epoch int64) error {
	if ok, err := h.ours(ctx, identifier); !ok || err != nil {
		return err
	}
	return h.k.StartEpoch(ctx, epoch)
}

// AfterEpochEnd expires open targets, opens audits of filled ones and steps the threshold.
func (h Hooks) AfterEpochEnd(ctx context.Context, identifier string, _ int64) error {
	if ok, err := h.ours(ctx, identifier); !ok || err != nil {
		return err
	}
	return h.k.EndEpoch(ctx)
}
