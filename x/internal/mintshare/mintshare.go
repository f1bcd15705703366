// Package mintshare computes the share of a block's newly minted coins that a module
// (x/nodes, x/data, x/challenges) moves from the fee collector into its rewards pool.
// Each module keeps its own transfer, accounting and event; only the arithmetic and its
// caps live here, so the three pools follow one rule.
package mintshare

import (
	"context"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Source reports the coins x/mint minted in this block.
type Source interface {
	BlockProvision(ctx context.Context) (sdk.Coin, error)
}

// Balances reads an account balance.
type Balances interface {
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
}

// Amount returns share × this block's provision, truncated, in denom. It is zero when the
// share is not positive, no mint source is set, or the provision is in another denom, and
// it is capped at the fee collector's balance, so moving it can never fail for lack of
// funds. It must run after x/mint and before x/distribution sweeps the fee collector.
func Amount(ctx context.Context, mint Source, bank Balances, feeCollector sdk.AccAddress, share sdkmath.LegacyDec, denom string) (sdkmath.Int, error) {
	if mint == nil || !share.IsPositive() {
		return sdkmath.ZeroInt(), nil
	}
	minted, err := mint.BlockProvision(ctx)
	if err != nil {
		return sdkmath.ZeroInt(), err
	}
	if minted.Denom != denom {
		return sdkmath.ZeroInt(), nil // pools pay in their own denom only
	}
	amount := share.MulInt(minted.Amount).TruncateInt()
	if held := bank.GetBalance(ctx, feeCollector, denom).Amount; amount.GT(held) {
		amount = held
	}
	return amount, nil
}
