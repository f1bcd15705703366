package app

import (
	"fmt"

	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/cortnet/cortd/app/upgrades"
	v2 "github.com/cortnet/cortd/app/upgrades/v2"
)

// Upgrades are the software upgrades this binary can apply, oldest first. A release adds
// its upgrade here (one folder under app/upgrades/) and keeps the older ones, so a node
// replaying from an old snapshot can still pass every upgrade height.
var Upgrades = []upgrades.Upgrade{
	v2.Upgrade,
}

// registerUpgrades sets a handler for every upgrade and, when the plan the halting binary
// wrote to data/upgrade-info.json names one of them (and its height is not skipped), the
// store loader that applies its store changes at that height. Called before the stores
// load: SetStoreLoader is refused after.
func (app *App) registerUpgrades() {
	deps := upgrades.Deps{ModuleManager: app.ModuleManager, Configurator: app.configurator}
	seen := make(map[string]bool, len(Upgrades))
	for _, u := range Upgrades {
		if u.Name == "" || seen[u.Name] {
			panic(fmt.Sprintf("app/upgrades: upgrade name %q is empty or registered twice", u.Name))
		}
		seen[u.Name] = true
		app.UpgradeKeeper.SetUpgradeHandler(u.Name, u.CreateHandler(deps))
	}

	plan, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(fmt.Errorf("reading data/upgrade-info.json: %w", err))
	}
	if plan.Name == "" || app.UpgradeKeeper.IsSkipHeight(plan.Height) {
		return
	}
	for _, u := range Upgrades {
		if u.Name == plan.Name {
			storeUpgrades := u.StoreUpgrades
			app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(plan.Height, &storeUpgrades))
			return
		}
	}
}
