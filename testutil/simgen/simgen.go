// Package simgen holds the check every custom module's simulation genesis must pass.
package simgen

import (
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
)

// Seeds is how many seeds CheckRandomizedGenesis tries.
const Seeds = 50

// CheckRandomizedGenesis runs gen (a module's RandomizedGenState) for Seeds seeds and
// requires each randomized genesis of moduleName to decode as G and pass G's own
// validation (InitChain runs it before anything else).
func CheckRandomizedGenesis[G any, PG interface {
	*G
	proto.Message
	Validate() error
}](t *testing.T, moduleName string, gen func(*module.SimulationState)) {
	t.Helper()
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	for seed := int64(0); seed < Seeds; seed++ {
		r := rand.New(rand.NewSource(seed))
		simState := &module.SimulationState{
			Cdc: cdc, Rand: r, GenState: map[string]json.RawMessage{}, BondDenom: "ucor",
			Accounts: simtypes.RandomAccounts(r, 5),
		}
		gen(simState)
		gs := PG(new(G))
		require.NoError(t, cdc.UnmarshalJSON(simState.GenState[moduleName], gs), "seed %d", seed)
		require.NoError(t, gs.Validate(), "seed %d", seed)
	}
}
