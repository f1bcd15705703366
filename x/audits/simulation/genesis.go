// Package simulation is x/audits' part of the app simulation: a randomized genesis with
// windows short enough for a few hundred blocks, and one weighted operation per message:
// the assigned auditor passes or reports the audits its module opened (x/data targets,
// sampled x/sessions tasks), bonded validators vote on the reports.
package simulation

import (
	"math/rand"

	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/audits/types"
)

// RandomParams returns valid params with deadlines, voting windows and retention of a
// few dozen blocks.
func RandomParams(r *rand.Rand) types.Params {
	p := types.DefaultParams()
	p.AuditDeadlineBlocks = uint64(5 + r.Intn(40))
	p.VotingWindowBlocks = uint64(5 + r.Intn(40))
	p.RetentionBlocks = uint64(10 + r.Intn(100))
	return p
}

// RandomizedGenState writes a random x/audits genesis: params only (audits are opened by
// the subject modules).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand)
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
