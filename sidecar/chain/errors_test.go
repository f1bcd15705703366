package chain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func TestIsMatchesTxErrorsByCodeAndSimulationErrorsByText(t *testing.T) {
	te := &chain.TxError{Codespace: sessionstypes.ErrAlreadyPrecommitted.Codespace(), Code: sessionstypes.ErrAlreadyPrecommitted.ABCICode(), Log: "x"}
	require.True(t, chain.Is(fmt.Errorf("precommit: %w", te), sessionstypes.ErrAlreadyPrecommitted))
	require.False(t, chain.Is(te, sessionstypes.ErrAlreadyCommitted))

	sim := &chain.SimulationError{Err: errors.New(`rpc error: code = Unknown desc = failed to execute message; message index: 0: node "n1" on task 2: the window has closed`)}
	require.True(t, chain.Is(sim, sessionstypes.ErrLate))
	require.False(t, chain.Is(sim, sessionstypes.ErrWrongPhase))
	require.False(t, chain.Is(nil, sessionstypes.ErrLate))
}

func TestIsSequenceMismatch(t *testing.T) {
	require.True(t, chain.IsSequenceMismatch(&chain.TxError{Codespace: "sdk", Code: sdkerrors.ErrWrongSequence.ABCICode()}))
	require.True(t, chain.IsSequenceMismatch(&chain.SimulationError{Err: errors.New("account sequence mismatch, expected 12, got 11: incorrect account sequence")}))
	require.False(t, chain.IsSequenceMismatch(errors.New("insufficient funds")))
	require.False(t, chain.IsSequenceMismatch(nil))
}
