package data

import (
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/cortnet/cortd/x/data/simulation"
	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/simx"
)

var _ module.AppModuleSimulation = AppModule{}

// WithSimulation returns the module with what its simulation operations deliver through
// and read (the app's simulation manager builds it so; the running app needs none).
func (am AppModule) WithSimulation(ak simx.AccountKeeper, bk simx.BankKeeper, rec simx.Recorder, d simulation.Deps) AppModule {
	d.Env = simx.Env{AK: ak, BK: bk, Module: types.ModuleName, Authority: am.keeper.Authority(), Rec: rec}
	am.sim = &d
	return am
}

// GenerateGenesisState writes a randomized genesis (simulation).
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder registers no decoder: the simulation compares no store of this module.
func (AppModule) RegisterStoreDecoder(simtypes.StoreDecoderRegistry) {}

// ProposalMsgs are the governance proposals the simulation may submit.
func (am AppModule) ProposalMsgs(module.SimulationState) []simtypes.WeightedProposalMsg {
	return simulation.ProposalMsgs(am.keeper)
}

// WeightedOperations returns one simulation operation per message (none without
// WithSimulation).
func (am AppModule) WeightedOperations(simState module.SimulationState) []simtypes.WeightedOperation {
	if am.sim == nil {
		return nil
	}
	d := *am.sim
	d.TxGen = simState.TxConfig
	return simulation.WeightedOperations(simState.AppParams, d, am.keeper)
}
