package models

import (
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/cortnet/cortd/x/internal/simx"
	"github.com/cortnet/cortd/x/models/simulation"
	"github.com/cortnet/cortd/x/models/types"
)

var _ module.AppModuleSimulation = AppModule{}

// WithSimulation returns the module with the keepers its simulation operations deliver
// through (the app's simulation manager builds it so; the running app needs none).
func (am AppModule) WithSimulation(ak simx.AccountKeeper, bk simx.BankKeeper, rec simx.Recorder) AppModule {
	am.sim = simx.Env{AK: ak, BK: bk, Module: types.ModuleName, Authority: am.keeper.Authority(), Rec: rec}
	return am
}

// GenerateGenesisState writes a randomized genesis (simulation).
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder registers no decoder: the simulation compares no x/models store.
func (AppModule) RegisterStoreDecoder(simtypes.StoreDecoderRegistry) {}

// ProposalMsgs are the governance proposals the simulation may submit.
func (am AppModule) ProposalMsgs(simState module.SimulationState) []simtypes.WeightedProposalMsg {
	return simulation.ProposalMsgs(am.keeper.Authority(), simState.BondDenom)
}

// WeightedOperations returns one simulation operation per message (none without
// WithSimulation).
func (am AppModule) WeightedOperations(simState module.SimulationState) []simtypes.WeightedOperation {
	if am.sim.AK == nil {
		return nil
	}
	env := am.sim
	env.TxGen = simState.TxConfig
	return simulation.WeightedOperations(simState.AppParams, env, am.keeper)
}
