// Package simulation is x/models' part of the app simulation: a randomized genesis (valid
// params and a few models owned by simulation accounts) and one weighted operation per
// message.
package simulation

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/models/types"
)

// GenesisModels is how many models the randomized genesis registers: the nodes,
// sessions and data simulations need models to serve, run and score with.
const GenesisModels = 4

// EmbeddingDims are the embedding dimensions of simulated models: few and small, so the
// x/data simulation (whose targets use models of one dimension) finds models of its
// dimension and commits stay cheap.
var EmbeddingDims = []uint32{8, 16}

// RandomParams returns valid params with a random registration deposit.
func RandomParams(r *rand.Rand, denom string) types.Params {
	p := types.DefaultParams()
	p.RegistrationDeposit = sdk.NewCoin(denom, sdkmath.NewInt(1+r.Int63n(100_000_000)))
	return p
}

// RandomModelFields returns the fields of a valid model with a small embedding and
// memory footprint (so every simulated node can serve it and commits stay cheap). One
// model in three is a bytes model (on the byte tokenizer, as the rule wants), so x/data's
// bytes targets have models to draw.
func RandomModelFields(r *rand.Rand, id string, p types.Params) types.Model {
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	m := types.Model{
		Id:              id,
		Name:            "sim model " + id,
		Architecture:    p.AllowedArchitectures[r.Intn(len(p.AllowedArchitectures))],
		WeightsUri:      "https://models.example/" + id,
		WeightsSha256:   sum("weights " + id),
		TokenizerSha256: sum("tokenizer " + id),
		EmbeddingDim:    EmbeddingDims[r.Intn(len(EmbeddingDims))],
		MemoryMib:       uint64(1 + r.Intn(4096)),
	}
	if r.Intn(3) == 0 {
		m.Modality, m.TokenizerSha256 = types.MODALITY_BYTES, types.ByteTokenizerSHA256
	}
	return m
}

// RandomizedGenState writes a random x/models genesis: params and GenesisModels active
// models registered by the authority (no deposit, so the module account stays empty as
// the deposits invariant wants), owned by random simulation accounts.
func RandomizedGenState(simState *module.SimulationState) {
	r := simState.Rand
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(r, simState.BondDenom)
	for i := 0; i < GenesisModels && len(simState.Accounts) > 0; i++ {
		m := RandomModelFields(r, fmt.Sprintf("sim-model-%d", i), gs.Params)
		m.Owner = simState.Accounts[r.Intn(len(simState.Accounts))].Address.String()
		m.Status = types.MODEL_STATUS_ACTIVE
		m.Deposit = sdk.NewCoin(simState.BondDenom, sdkmath.ZeroInt())
		gs.Models = append(gs.Models, m)
	}
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
