package auditor

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
)

// TestContainsCode: the auditor tells a missed deadline or a closed vote from other tx
// failures, whether the chain refused the tx in a block or in simulation.
func TestContainsCode(t *testing.T) {
	e := auditstypes.ErrDeadlinePassed
	inBlock := &chain.TxError{Codespace: e.Codespace(), Code: e.ABCICode(), Log: "x"}
	require.True(t, containsCode(fmt.Errorf("send: %w", inBlock), e))
	require.False(t, containsCode(inBlock, auditstypes.ErrVotingClosed))
	other := &chain.TxError{Codespace: "sdk", Code: e.ABCICode()}
	require.False(t, containsCode(other, e))
	sim := &chain.SimulationError{Err: errors.New("rpc error: audit 3 at height 9: " + e.Error() + ": 12 > 10")}
	require.True(t, containsCode(sim, e))
	require.False(t, containsCode(sim, auditstypes.ErrNotBondedValidator))
	require.False(t, containsCode(nil, e))
}
