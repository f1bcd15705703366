package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/cortnet/cortd/x/data/types"
)

func TestMintShareFundsThePool(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MintShare = sdkmath.LegacyMustNewDecFromStr("0.25") })
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom, 1000))
	require.NoError(t, f.Bank.MintCoins(f.Ctx, minttypes.ModuleName, coins))
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, minttypes.ModuleName, authtypes.FeeCollectorName, coins))
	f.mint.provision = sdk.NewInt64Coin(denom, 1000)
	require.NoError(t, f.k.BeginBlocker(f.Ctx))
	acc, _ := f.k.Accounting.Get(f.Ctx)
	require.Equal(t, sdkmath.NewInt(100_250), acc.Pool)
	f.invariant(t)
	// Capped at the fee collector's balance (750 left): a provision of 10,000 moves 750, not 2,500.
	f.mint.provision = sdk.NewInt64Coin(denom, 10_000)
	require.NoError(t, f.k.BeginBlocker(f.Ctx))
	acc, _ = f.k.Accounting.Get(f.Ctx)
	require.Equal(t, sdkmath.NewInt(101_000), acc.Pool)
	// Another denom or share 0 moves nothing.
	f.mint.provision = sdk.NewInt64Coin("uother", 1000)
	require.NoError(t, f.k.BeginBlocker(f.Ctx))
	acc2, _ := f.k.Accounting.Get(f.Ctx)
	require.Equal(t, acc, acc2)
	f.invariant(t)
}
