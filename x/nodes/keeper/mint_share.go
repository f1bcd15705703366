package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	mintkeeper "github.com/cosmos/cosmos-sdk/x/mint/keeper"

	"github.com/cortnet/cortd/x/internal/mintshare"
	"github.com/cortnet/cortd/x/nodes/types"
)

// moveMintShare moves mint_share of this block's minted coins from the fee collector to
// the rewards pool. It runs in BeginBlock after x/mint (which just sent the block
// provision to the fee collector) and before x/distribution (which sweeps the fee
// collector to validators and delegators). The amount is capped at the fee collector's
// balance, so it can never fail for lack of funds.
func (k Keeper) moveMintShare(ctx context.Context, p types.Params) error {
	share, err := mintshare.Amount(ctx, k.mint, k.bank, k.account.GetModuleAddress(k.feeCollector), p.MintShare, p.Denom)
	if err != nil || !share.IsPositive() {
		return err
	}
	coin := sdk.NewCoin(p.Denom, share)
	if err := k.bank.SendCoinsFromModuleToModule(ctx, k.feeCollector, types.RewardsPoolName, sdk.NewCoins(coin)); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventMintShare{Amount: coin.String()})
}

// MintProvision reads what the SDK's default mint function minted this block: the
// minter's block provision (the same value x/mint computed and minted just before).
type MintProvision struct {
	Keeper mintkeeper.Keeper
}

var _ types.MintSource = MintProvision{}

// BlockProvision implements types.MintSource.
func (m MintProvision) BlockProvision(ctx context.Context) (sdk.Coin, error) {
	minter, err := m.Keeper.Minter.Get(ctx)
	if err != nil {
		return sdk.Coin{}, err
	}
	params, err := m.Keeper.Params.Get(ctx)
	if err != nil {
		return sdk.Coin{}, err
	}
	return minter.BlockProvision(params), nil
}
