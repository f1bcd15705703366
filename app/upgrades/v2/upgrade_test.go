package v2_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/cortnet/cortd/app/upgrades"
	v2 "github.com/cortnet/cortd/app/upgrades/v2"
	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/payments"
	paymentskeeper "github.com/cortnet/cortd/x/payments/keeper"
	paymentsv2 "github.com/cortnet/cortd/x/payments/migrations/v2"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
)

// TestHandlerMigratesPayments: the v2 handler, given the version map a v1 chain stored,
// re-keys x/payments' pending payments and returns x/payments at version 2; given a map
// already at 2 it leaves the store alone.
func TestHandlerMigratesPayments(t *testing.T) {
	require.Equal(t, "v2", v2.Upgrade.Name)
	require.Empty(t, v2.Upgrade.StoreUpgrades.Added, "v2 adds no store")
	require.Empty(t, v2.Upgrade.StoreUpgrades.Deleted, "v2 deletes no store")

	base := keepers.NewBase(t, map[string][]string{paymentstypes.ModuleName: nil}, []string{paymentstypes.StoreKey}, payments.AppModule{})
	k := paymentskeeper.NewKeeper(base.Cdc, base.StoreService(paymentstypes.StoreKey), base.Bank, base.Account, base.Authority)
	require.NoError(t, k.InitGenesis(base.Ctx, paymentstypes.DefaultGenesis()))
	op := keepers.NewAddr("op")
	require.NoError(t, paymentsv2.PendingV1(base.StoreService(paymentstypes.StoreKey)).Set(base.Ctx, op.String(), sdkmath.NewInt(42)))

	reg := codectypes.NewInterfaceRegistry()
	paymentstypes.RegisterInterfaces(reg)
	msgRouter := baseapp.NewMsgServiceRouter()
	msgRouter.SetInterfaceRegistry(reg)
	queryRouter := baseapp.NewGRPCQueryRouter()
	queryRouter.SetInterfaceRegistry(reg)
	cfg := module.NewConfigurator(base.Cdc, msgRouter, queryRouter)
	am := payments.NewAppModule(base.Cdc, k)
	am.RegisterServices(cfg)
	handler := v2.Upgrade.CreateHandler(upgrades.Deps{ModuleManager: module.NewManager(am), Configurator: cfg})
	plan := upgradetypes.Plan{Name: v2.Name, Height: 10}

	got, err := k.GetPending(base.Ctx, op.String())
	require.NoError(t, err)
	require.True(t, got.IsZero(), "before the handler the v2 keeper does not see the v1 entry")
	vm, err := handler(base.Ctx, plan, module.VersionMap{paymentstypes.ModuleName: 1})
	require.NoError(t, err)
	require.Equal(t, module.VersionMap{paymentstypes.ModuleName: 2}, vm)
	got, err = k.GetPending(base.Ctx, op.String())
	require.NoError(t, err)
	require.Equal(t, sdkmath.NewInt(42), got)

	vm, err = handler(base.Ctx, plan, module.VersionMap{paymentstypes.ModuleName: 2})
	require.NoError(t, err)
	require.Equal(t, uint64(2), vm[paymentstypes.ModuleName])
	got, err = k.GetPending(base.Ctx, op.String())
	require.NoError(t, err)
	require.Equal(t, sdkmath.NewInt(42), got, "a second run changes nothing")
}
