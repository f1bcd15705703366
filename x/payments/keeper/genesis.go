package keeper

import (
	"context"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/payments/types"
)

// InitGenesis writes params, balances and pending payments. It refuses a state that
// GenesisState.Validate (what `cortd genesis validate` runs) rejects, before writing
// anything.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, b := range gs.Balances {
		if err := k.Balances.Set(ctx, b.SessionId, b); err != nil {
			return err
		}
	}
	for _, p := range gs.Pending {
		if err := k.Pending.Set(ctx, p.Operator, p.Amount); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis reads the state in key order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params, Balances: []types.SessionBalance{}, Pending: []types.PendingPayment{}}
	if err := k.Balances.Walk(ctx, nil, func(_ uint64, b types.SessionBalance) (bool, error) {
		gs.Balances = append(gs.Balances, b)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.Pending.Walk(ctx, nil, func(op string, v sdkmath.Int) (bool, error) {
		gs.Pending = append(gs.Pending, types.PendingPayment{Operator: op, Amount: v})
		return false, nil
	})
	return gs, err
}
