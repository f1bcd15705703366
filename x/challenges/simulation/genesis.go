// Package simulation is x/challenges' part of the app simulation: a randomized genesis
// with windows of a few blocks and one weighted operation per message, driving the
// challenge flow: nodes opt in, a bonded validator posts a challenge committing to its
// hidden tests, invited miners commit then reveal patches, the poster reveals the tests,
// validators submit scores, miners withdraw their rewards.
package simulation

import (
	"math/rand"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/challenges/types"
)

// RandomParams returns valid params whose windows fit a few hundred blocks.
func RandomParams(r *rand.Rand, denom string) types.Params {
	p := types.DefaultParams()
	p.EpochIdentifier = "day"
	p.PostingDeposit = sdk.NewCoin(denom, sdkmath.NewInt(r.Int63n(100_000_000)))
	p.EpochEmission = sdk.NewCoin(denom, sdkmath.NewInt(r.Int63n(10_000_000)))
	p.MaxMiners = uint32(1 + r.Intn(8))
	p.MinResponseWindowBlocks = uint64(1 + r.Intn(3))
	p.MaxResponseWindowBlocks = p.MinResponseWindowBlocks + uint64(r.Intn(10))
	p.MinEvaluationWindowBlocks = uint64(1 + r.Intn(3))
	p.MaxEvaluationWindowBlocks = p.MinEvaluationWindowBlocks + uint64(r.Intn(10))
	p.RevealWindowBlocks = uint64(2 + r.Intn(8))
	p.TestsRevealWindowBlocks = uint64(2 + r.Intn(8))
	p.RetentionBlocks = uint64(10 + r.Intn(100))
	p.Quorum = uint32(1 + r.Intn(2))
	// a mint share feeds the rewards pool, so epochs pay miners and withdrawals happen
	p.MintShare = sdkmath.LegacyNewDecWithPrec(int64(5+r.Intn(16)), 2)
	// emission shares per task type: 0 to 3 each, at least one positive
	for i := range p.EmissionShares {
		p.EmissionShares[i].Share = uint32(r.Intn(4))
	}
	p.EmissionShares[r.Intn(len(p.EmissionShares))].Share++
	// availability reports: short skips, one or two reporters
	p.UnavailableSkipBlocks = uint64(5 + r.Intn(50))
	p.UnavailableMinReports = uint32(1 + r.Intn(2))
	return p
}

// RandomizedGenState writes a random x/challenges genesis: params only (challenges and
// rewards come from the operations and the epochs).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand, simState.BondDenom)
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
