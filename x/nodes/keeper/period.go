package keeper

import (
	"context"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// Hooks receives x/epochs callbacks; the end of the reward epoch closes the open period.
type Hooks struct {
	k Keeper
}

var _ epochstypes.EpochHooks = Hooks{}

// Hooks returns the epoch hooks to register with the epochs keeper.
func (k Keeper) Hooks() Hooks { return Hooks{k: k} }

// AfterEpochEnd closes the open reward period when the reward epoch ends.
func (h Hooks) AfterEpochEnd(ctx context.Context, identifier string, _ int64) error {
	p, err := h.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if identifier != p.RewardEpochIdentifier {
		return nil
	}
	return h.k.ClosePeriod(ctx)
}

// BeforeEpochStart does nothing: the new period opens in ClosePeriod.
func (Hooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

// ClosePeriod ends the open period at the current height and opens the next one. The
// closed period is queued for settlement, which EndBlock does in pages of
// max_settlements_per_block nodes, so closing costs O(1) whatever the number of nodes.
func (k Keeper) ClosePeriod(ctx context.Context) error {
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	cur, err := k.Period.Get(ctx)
	if err != nil {
		return err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	// The period's nominal length scales the monthly amounts; read now, so a later change
	// of the reward epoch does not rescale a period already closed.
	seconds, err := k.periodSeconds(ctx, p)
	if err != nil {
		return err
	}
	s := types.Settlement{
		Period: cur.Number, StartHeight: cur.StartHeight, EndHeight: height, Phase: types.SETTLEMENT_PHASE_SCORE,
		Owed: sdkmath.ZeroInt(), Ratio: sdkmath.LegacyZeroDec(), Paid: sdkmath.ZeroInt(), Available: sdkmath.ZeroInt(),
		PeriodSeconds: seconds,
	}
	if err := k.Settlements.Set(ctx, s.Period, s); err != nil {
		return err
	}
	if err := k.Period.Set(ctx, types.Period{Number: cur.Number + 1, StartHeight: height}); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPeriodClosed{
		Period: cur.Number, StartHeight: cur.StartHeight, EndHeight: height,
	})
}
