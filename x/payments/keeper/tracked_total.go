package keeper

import (
	"context"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/payments/types"
)

// trackedTotal is Σ(free + reserved) over sessions + Σ pending over operators.
func (k Keeper) trackedTotal(ctx context.Context) (sdkmath.Int, error) {
	total := sdkmath.ZeroInt()
	err := k.Balances.Walk(ctx, nil, func(_ uint64, b types.SessionBalance) (bool, error) {
		held, err := checkedAdd("free + reserved", b.Free, b.Reserved)
		if err == nil {
			total, err = checkedAdd("tracked total", total, held)
		}
		return err != nil, err
	})
	if err != nil {
		return total, err
	}
	err = k.Pending.Walk(ctx, nil, func(_ string, v sdkmath.Int) (bool, error) {
		var err error
		total, err = checkedAdd("tracked total", total, v)
		return err != nil, err
	})
	return total, err
}
