// Package simulation is x/nodes' part of the app simulation: a randomized genesis (valid
// params with stakes, heartbeat slots and unbonding short enough for a few hundred
// blocks) and one weighted operation per message.
package simulation

import (
	"math/rand"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/nodes/types"
)

// RandomParams returns valid params scaled to a simulation: one or two pools with small
// minimum stakes, heartbeat slots of a few blocks with a generous miss allowance (nodes
// stay available while the heartbeat operation keeps up), unbonding within the run.
func RandomParams(r *rand.Rand, denom string) types.Params {
	p := types.DefaultParams()
	p.Denom = denom
	p.Pools = []types.Pool{{Id: 1, Name: "Pool 1", MinStake: sdkmath.NewInt(1_000_000 + r.Int63n(100_000_000))}}
	if r.Intn(2) == 0 {
		p.Pools = append(p.Pools, types.Pool{Id: 2, Name: "Pool 2", MinStake: sdkmath.NewInt(100_000_000 + r.Int63n(1_000_000_000))})
	}
	p.UnbondingBlocks = int64(5 + r.Intn(60))
	p.HeartbeatIntervalBlocks = int64(3 + r.Intn(8))
	p.MaxMissedHeartbeats = uint32(5 + r.Intn(20))
	return p
}

// RandomizedGenState writes a random x/nodes genesis: params only (nodes need escrowed
// stake, which RegisterNode operations bring).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand, simState.BondDenom)
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
