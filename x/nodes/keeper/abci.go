package keeper

import (
	"context"
)

// maxSettlementStepsPerBlock bounds the settlement loop: each step uses budget or moves a
// settlement to its next pass, so a handful of steps per block is plenty.
const maxSettlementStepsPerBlock = 8

// BeginBlocker moves the mint share into the rewards pool.
func (k Keeper) BeginBlocker(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	return k.moveMintShare(ctx, p)
}

// EndBlocker completes matured unbondings and advances open settlements, each bounded
// per block by a param.
func (k Keeper) EndBlocker(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if err := k.completeUnbondings(ctx, p); err != nil {
		return err
	}
	budget := p.MaxSettlementsPerBlock
	for range maxSettlementStepsPerBlock {
		if budget == 0 {
			return nil
		}
		var found bool
		if budget, found, err = k.settleStep(ctx, p, budget); err != nil || !found {
			return err
		}
	}
	return nil
}
