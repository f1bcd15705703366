// Package network configures the SDK's in-process test network (testutil/network) for the
// cortd app: N validators with real CometBFT, gRPC and REST servers on loopback.
package network

import (
	"os"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/testutil/network"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"

	"github.com/cortnet/cortd/app"
	appparams "github.com/cortnet/cortd/app/params"
)

// ChainID of in-process test networks.
const ChainID = "cort-test-1"

// DefaultConfig is a network config for the cortd app with n validators.
func DefaultConfig(n int) network.Config {
	tempDir, err := os.MkdirTemp("", "cortd-network-config")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tempDir)
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, simtestutil.NewAppOptionsWithFlagHome(tempDir))

	cfg := network.DefaultConfig(func() network.TestFixture {
		return network.TestFixture{
			AppConstructor: func(val network.ValidatorI) servertypes.Application {
				return app.New(val.GetCtx().Logger, dbm.NewMemDB(), true,
					simtestutil.NewAppOptionsWithFlagHome(val.GetCtx().Config.RootDir),
					baseapp.SetMinGasPrices(val.GetAppConfig().MinGasPrices),
					baseapp.SetChainID(ChainID),
				)
			},
			GenesisState: tempApp.DefaultGenesis(),
			EncodingConfig: moduletestutil.TestEncodingConfig{
				InterfaceRegistry: tempApp.InterfaceRegistry(),
				Codec:             tempApp.AppCodec(),
				TxConfig:          tempApp.TxConfig(),
				Amino:             tempApp.LegacyAmino(),
			},
		}
	})
	cfg.ChainID = ChainID
	cfg.NumValidators = n
	cfg.BondDenom = appparams.BondDenom
	cfg.MinGasPrices = "0" + appparams.BondDenom
	cfg.AccountTokens = sdkmath.NewInt(1_000_000_000_000)
	cfg.StakingTokens = sdkmath.NewInt(500_000_000_000)
	cfg.BondedTokens = sdkmath.NewInt(100_000_000_000)
	return cfg
}

// New starts an in-process network and stops it when the test ends.
func New(t *testing.T, cfg network.Config) *network.Network {
	t.Helper()
	net, err := network.New(t, t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := net.WaitForHeight(1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(net.Cleanup)
	return net
}
