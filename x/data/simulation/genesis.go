// Package simulation is x/data's part of the app simulation: a randomized genesis (daily
// epochs, the embedding dimension of the simulated models) and one weighted operation
// per message: submissions fill open targets (at the target's centre, with one loss per
// assigned model), x/audits' operations pass or report them, claims pay passed targets.
package simulation

import (
	"math/rand"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/data/types"
)

// EmbeddingDims must match x/models' simulation (models of the target dimension are the
// ones targets are drawn with); x/data may not import x/models' simulation package.
var EmbeddingDims = []uint32{8, 16}

// RandomParams returns valid params for a simulation.
func RandomParams(r *rand.Rand, denom string) types.Params {
	p := types.DefaultParams()
	p.Denom = denom
	p.EpochIdentifier = "day"
	p.EmbeddingDim = EmbeddingDims[r.Intn(len(EmbeddingDims))]
	p.TargetsPerEpoch = uint32(1 + r.Intn(10))
	p.ModelsPerTarget = uint32(1 + r.Intn(3))
	p.MaxReplacementsPerEpoch = uint32(r.Intn(5))
	p.RewardPerTarget = sdkmath.NewInt(1 + r.Int63n(10_000_000))
	p.BondPerByte = sdkmath.NewInt(r.Int63n(3))
	p.MaxDataBytes = uint64(1_000 + r.Intn(1_000_000))
	p.RetentionEpochs = uint32(2 + r.Intn(10))
	p.MintShare = sdkmath.LegacyNewDecWithPrec(int64(r.Intn(21)), 2)    // 0 to 0.2 of each block's mint
	p.BytesTargetsPerEpoch = uint32(r.Intn(int(p.TargetsPerEpoch) + 1)) // x/models' simulation registers bytes models too
	return p
}

// RandomizedGenState writes a random x/data genesis: params, nothing else (the rewards
// pool is funded by FundPool operations).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand, simState.BondDenom)
	gs.Epoch.Threshold = gs.Params.InitialThreshold
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
