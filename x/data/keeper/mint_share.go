package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/mintshare"
)

// BeginBlocker moves mint_share of this block's provision from the fee collector into the
// rewards pool (the same pattern as x/nodes and x/challenges). It runs after x/mint filled
// the fee collector and before x/distribution sweeps it; the share is capped at the fee
// collector's balance, so it never fails for lack of funds.
func (k Keeper) BeginBlocker(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	share, err := mintshare.Amount(ctx, k.mint, k.bank, k.account.GetModuleAddress(k.feeCollector), p.MintShare, p.Denom)
	if err != nil || !share.IsPositive() {
		return err
	}
	acc, err := k.Accounting.Get(ctx)
	if err != nil {
		return err
	}
	coin := sdk.NewCoin(p.Denom, share)
	if err := k.bank.SendCoinsFromModuleToModule(ctx, k.feeCollector, types.ModuleName, sdk.NewCoins(coin)); err != nil {
		return err
	}
	acc.Pool = acc.Pool.Add(share)
	if err := k.Accounting.Set(ctx, acc); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPoolFunded{Funder: "mint", Amount: coin.String()})
}
