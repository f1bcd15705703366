// Package upgrades holds the software upgrades of cortd: one folder per upgrade
// (app/upgrades/<name>/), each exporting an Upgrade value that app/upgrades.go registers.
//
// An upgrade is what a `software-upgrade` governance proposal names: the chain halts at the
// plan's height, operators (or cosmovisor) start the new binary, and in the first block the
// new binary's handler for that name runs: it migrates every module whose ConsensusVersion
// grew since the stored version map (module.Manager.RunMigrations runs each module's
// RegisterMigration steps in order) and returns the new version map, which x/upgrade stores.
// Stores that the new binary adds, renames or drops are named in StoreUpgrades; the store
// loader applies them at the upgrade height only, when the plan read from disk
// (data/upgrade-info.json, written by the halting binary) names this upgrade.
package upgrades

import (
	"context"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"
)

// Upgrade is one named software upgrade.
type Upgrade struct {
	// Name is the plan name a software-upgrade proposal carries (and cosmovisor's
	// upgrades/<Name>/bin folder).
	Name string
	// StoreUpgrades lists the KV stores this upgrade adds, renames or deletes.
	StoreUpgrades storetypes.StoreUpgrades
	// CreateHandler builds the handler run in the upgrade block from what the app provides.
	CreateHandler func(Deps) upgradetypes.UpgradeHandler
}

// Deps is what an upgrade handler may use. It holds no keepers on purpose: a handler that
// needs to change module state does it through that module's registered migrations, so the
// change is tested with the module and versioned by its ConsensusVersion.
type Deps struct {
	ModuleManager *module.Manager
	Configurator  module.Configurator
}

// MigrateAll is the common handler: run every module migration from the stored version map
// to the binary's versions.
func MigrateAll(name string) func(Deps) upgradetypes.UpgradeHandler {
	return func(d Deps) upgradetypes.UpgradeHandler {
		return func(ctx context.Context, plan upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			sdk.UnwrapSDKContext(ctx).Logger().Info("running module migrations", "upgrade", name, "height", plan.Height)
			return d.ModuleManager.RunMigrations(ctx, d.Configurator, fromVM)
		}
	}
}
