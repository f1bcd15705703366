package app

import (
	"context"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/auth"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	"github.com/cosmos/cosmos-sdk/x/feegrant"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/cortnet/cortd/x/audits"
	auditssim "github.com/cortnet/cortd/x/audits/simulation"
	"github.com/cortnet/cortd/x/challenges"
	challengessim "github.com/cortnet/cortd/x/challenges/simulation"
	datamod "github.com/cortnet/cortd/x/data"
	datasim "github.com/cortnet/cortd/x/data/simulation"
	"github.com/cortnet/cortd/x/models"
	"github.com/cortnet/cortd/x/nodes"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	nodessim "github.com/cortnet/cortd/x/nodes/simulation"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	"github.com/cortnet/cortd/x/payments"
	paymentssim "github.com/cortnet/cortd/x/payments/simulation"
	"github.com/cortnet/cortd/x/sessions"
	sessionssim "github.com/cortnet/cortd/x/sessions/simulation"
)

// SimRecorder counts what the simulation's operations of our modules did, per message
// type URL and outcome ("delivered", "rejected" by the chain, "skipped" as not
// applicable in the current state), with the reason of a rejection or skip.
type SimRecorder interface {
	Record(typeURL, outcome, reason string)
}

// SetSimRecorder makes SimulationManager's operations report to r (app/sim_test.go).
func (app *App) SetSimRecorder(r SimRecorder) { app.simRecorder = r }

// SimulationManager returns the modules the app simulation (app/sim_test.go) randomizes
// and operates: the SDK's modules with simulation support, less x/epochs (its default
// genesis keeps the day/hour/minute epochs our modules' params name), and every module of
// ours, given the keepers their operations deliver through. The running node never
// calls it.
func (app *App) SimulationManager() *module.SimulationManager {
	ak, bk, rec := app.AccountKeeper, app.BankKeeper, app.simRecorder
	// x/auth's own generator makes vesting accounts, a type this app does not register.
	sdkModules := []module.AppModuleSimulation{auth.NewAppModule(app.appCodec, app.AccountKeeper, baseGenesisAccounts, nil)}
	for _, name := range []string{
		banktypes.ModuleName, feegrant.ModuleName, govtypes.ModuleName, minttypes.ModuleName,
		slashingtypes.ModuleName, distrtypes.ModuleName, stakingtypes.ModuleName,
	} {
		if m, ok := app.ModuleManager.Modules[name].(module.AppModuleSimulation); ok {
			sdkModules = append(sdkModules, m)
		}
	}
	sm := module.NewSimulationManager(append(sdkModules,
		models.NewAppModule(app.appCodec, app.ModelsKeeper).WithSimulation(ak, bk, rec),
		nodes.NewAppModule(app.appCodec, app.NodesKeeper).WithSimulation(ak, bk, rec, nodessim.Deps{Models: app.ModelsKeeper}),
		payments.NewAppModule(app.appCodec, app.PaymentsKeeper).WithSimulation(ak, bk, rec, paymentssim.Deps{}),
		sessions.NewAppModule(app.appCodec, app.SessionsKeeper).WithSimulation(ak, bk, rec, sessionssim.Deps{
			Models: app.ModelsKeeper, Nodes: app.NodesKeeper, Escrows: app.PaymentsKeeper,
		}),
		audits.NewAppModule(app.appCodec, app.AuditsKeeper).WithSimulation(ak, bk, rec, auditssim.Deps{Staking: app.StakingKeeper}),
		datamod.NewAppModule(app.appCodec, app.DataKeeper).WithSimulation(ak, bk, rec, datasim.Deps{}),
		challenges.NewAppModule(app.appCodec, app.ChallengesKeeper).WithSimulation(ak, bk, rec, challengessim.Deps{
			Staking: app.StakingKeeper, Nodes: simNodes{app.NodesKeeper},
		}),
	)...)
	sm.RegisterStoreDecoders()
	return sm
}

// baseGenesisAccounts makes every simulation account a plain account.
func baseGenesisAccounts(simState *module.SimulationState) authtypes.GenesisAccounts {
	accs := make(authtypes.GenesisAccounts, len(simState.Accounts))
	for i, acc := range simState.Accounts {
		accs[i] = authtypes.NewBaseAccountWithAddress(acc.Address)
	}
	return accs
}

// GetBaseApp returns the app's BaseApp (the simulation framework drives it).
func (app *App) GetBaseApp() *baseapp.BaseApp { return app.BaseApp }

// simNodes gives the x/challenges simulation its bounded walk of the nodes.
type simNodes struct{ k nodeskeeper.Keeper }

func (s simNodes) GetNode(ctx context.Context, id string) (nodestypes.Node, error) {
	return s.k.GetNode(ctx, id)
}

func (s simNodes) WalkNodes(ctx context.Context, limit int, fn func(nodestypes.Node) bool) error {
	n := 0
	return s.k.Nodes.Walk(ctx, nil, func(_ string, node nodestypes.Node) (bool, error) {
		n++
		return fn(node) || n >= limit, nil
	})
}
