package keeper

import (
	"context"

	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// Hooks receives x/epochs callbacks: the end of params.epoch_identifier closes the
// challenges epoch (weights computed, posting limits reset).
type Hooks struct{ k Keeper }

var _ epochstypes.EpochHooks = Hooks{}

// Hooks returns the epoch hooks to register with the epochs keeper.
func (k Keeper) Hooks() Hooks { return Hooks{k: k} }

// AfterEpochEnd closes the open challenges epoch when the configured epoch ends.
func (h Hooks) AfterEpochEnd(ctx context.Context, identifier string, _ int64) error {
	p, err := h.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if identifier != p.EpochIdentifier {
		return nil
	}
	e, err := h.k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	// The work is paged: EndBlock runs it (this block's included).
	return h.k.startClose(ctx, p, e)
}

// BeforeEpochStart does nothing.
func (Hooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

// taskTypes are the task types weighted separately, in the order the close runs them.
var taskTypes = types.TaskTypes

// CloseEpoch closes the open epoch in one go: it queues the close (as the epoch hook
// does) and runs every queued close to the end with no budget. EndBlock runs the same
// steps max_epoch_close_per_block entries at a time; the results are the same
// (TestPagedCloseMatchesUnpaged). Used by tests, benchmarks and tooling.
func (k Keeper) CloseEpoch(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	e, err := k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	if err := k.startClose(ctx, p, e); err != nil {
		return err
	}
	return k.runCloses(ctx, p, 0)
}
