package simulation_test

import (
	"testing"

	"github.com/cortnet/cortd/testutil/simgen"
	"github.com/cortnet/cortd/x/models/simulation"
	"github.com/cortnet/cortd/x/models/types"
)

// TestRandomizedGenStateIsValid: every seed's randomized genesis passes the module's own
// genesis validation (InitChain runs it before anything else).
func TestRandomizedGenStateIsValid(t *testing.T) {
	simgen.CheckRandomizedGenesis[types.GenesisState](t, types.ModuleName, simulation.RandomizedGenState)
}
