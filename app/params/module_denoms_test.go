package params_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	appparams "github.com/cortnet/cortd/app/params"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
)

// Modules may not import app/ (DESIGN "Dependencies point one way"), so the ones whose
// defaults name a denom spell it themselves; it must be the chain's base denom.
func TestModuleDefaultDenoms(t *testing.T) {
	require.Equal(t, appparams.BondDenom, challengestypes.DefaultDenom)
	p := challengestypes.DefaultParams()
	require.Equal(t, appparams.BondDenom, p.PostingDeposit.Denom)
	require.Equal(t, appparams.BondDenom, p.EpochEmission.Denom)
	require.Equal(t, appparams.BondDenom, datatypes.DefaultParams().Denom)
}
