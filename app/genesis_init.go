package app

import (
	"encoding/json"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
)

// validateGenesisState runs on the app state what `cortd genesis validate` runs (every
// module's ValidateGenesis), module by module in InitGenesis order, and names the module
// that rejects it. InitChain calls it before writing anything, so a genesis the validator
// command rejects never boots, whichever module would have trusted it.
func (app *App) validateGenesisState(genesisState map[string]json.RawMessage) error {
	for _, name := range app.ModuleManager.OrderInitGenesis {
		mod, ok := app.BasicModuleManager[name].(module.HasGenesisBasics)
		if !ok {
			continue
		}
		if err := mod.ValidateGenesis(app.appCodec, app.txConfig, genesisState[name]); err != nil {
			return fmt.Errorf("genesis of module %s rejected: %w", name, err)
		}
	}
	return nil
}

// initModulesGenesis runs every module's InitGenesis and returns a module's panic as an
// error, as the SDK does for modules whose InitGenesis returns one: the node then stops
// with the module's message (ours name the module and the record) instead of crashing
// inside CometBFT's handshake.
func (app *App) initModulesGenesis(ctx sdk.Context, genesisState map[string]json.RawMessage) (res *abci.ResponseInitChain, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("InitGenesis: %v", r)
		}
	}()
	return app.ModuleManager.InitGenesis(ctx, app.appCodec, genesisState)
}
