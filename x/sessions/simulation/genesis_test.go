package simulation_test

import (
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/cortnet/cortd/x/sessions/simulation"
	"github.com/cortnet/cortd/x/sessions/types"
)

// TestRandomizedGenStateIsValid: every seed's randomized genesis passes the module's own
// genesis validation (InitChain runs it before anything else).
func TestRandomizedGenStateIsValid(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	for seed := int64(0); seed < 50; seed++ {
		r := rand.New(rand.NewSource(seed))
		simState := &module.SimulationState{
			Cdc: cdc, Rand: r, GenState: map[string]json.RawMessage{}, BondDenom: "ucor",
			Accounts: simtypes.RandomAccounts(r, 5),
		}
		simulation.RandomizedGenState(simState)
		var gs types.GenesisState
		require.NoError(t, cdc.UnmarshalJSON(simState.GenState[types.ModuleName], &gs))
		require.NoError(t, gs.Validate(), "seed %d", seed)
	}
}
