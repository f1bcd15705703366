// Package simulation is x/payments' part of the app simulation: its genesis (the escrows
// are opened by x/sessions' operations) and one weighted operation per message.
package simulation

import (
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/payments/types"
)

// RandomizedGenState writes the x/payments genesis: params in the bond denom and no
// escrow (escrows need funds in the module account; CreateSession operations open them).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params.Denom = simState.BondDenom
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
