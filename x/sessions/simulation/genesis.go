// Package simulation is x/sessions' part of the app simulation: a randomized genesis and
// one weighted operation per message, driving the task flow end to end: a session, a
// task, each assigned node's precommit of a result it derives from the task, then the
// commit that reveals it (a few nodes answer differently, so validation also rejects).
package simulation

import (
	"math/rand"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/sessions/types"
)

// RandomParams returns valid params scaled to a simulation: redundancy up to 5, windows
// of 10 to 30 blocks, a few percent of validated tasks audited, either default mode.
func RandomParams(r *rand.Rand) types.Params {
	p := types.DefaultParams()
	p.MinRedundancy = 1
	p.MaxRedundancy = uint32(1 + r.Intn(5))
	p.MaxTokensCap = uint32(16 + r.Intn(4096))
	p.MinPricePerTask = sdkmath.NewInt(1 + r.Int63n(1000))
	p.MaxPricePerTask = p.MinPricePerTask.Add(sdkmath.NewInt(r.Int63n(1_000_000)))
	p.PrecommitWindowBlocks = int64(10 + r.Intn(20))
	p.CommitWindowBlocks = int64(10 + r.Intn(20))
	p.QueueTimeoutBlocks = int64(20 + r.Intn(80))
	p.RetentionBlocks = int64(50 + r.Intn(200))
	p.AuditFractionBps = uint32(r.Intn(3000))
	if r.Intn(3) == 0 {
		p.DefaultVerification = types.VERIFICATION_MODE_EXACT
	}
	return p
}

// RandomizedGenState writes a random x/sessions genesis: params only (sessions escrow
// funds in x/payments, which CreateSession operations bring).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand)
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
