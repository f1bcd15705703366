package chain

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// withAttr is ev as the SDK delivers it: its JSON attributes plus one the SDK adds.
func withAttr(t *testing.T, ev *sessionstypes.EventTaskEnded, key, value string) abci.Event {
	t.Helper()
	e, err := sdk.TypedEventToEvent(ev)
	require.NoError(t, err)
	out := abci.Event(e)
	out.Attributes = append(out.Attributes, abci.EventAttribute{Key: key, Value: value, Index: true})
	return out
}

// TestTypedDecodesBlockAndTxEvents: events of EndBlock (the SDK's plain-text mode
// attribute) and of txs (msg_index) decode; untyped events are skipped. Before, every
// EndBlock event was dropped, so the miner never saw its assignments as events.
func TestTypedDecodesBlockAndTxEvents(t *testing.T) {
	assigned, err := sdk.TypedEventToEvent(&sessionstypes.EventTaskAssigned{TaskId: 9, NodeIds: []string{"n1", "n2"}})
	require.NoError(t, err)
	assignedEv := abci.Event(assigned)
	assignedEv.Attributes = append(assignedEv.Attributes, abci.EventAttribute{Key: "mode", Value: "EndBlock"})
	b := Block{Height: 5, Events: []abci.Event{
		withAttr(t, &sessionstypes.EventTaskEnded{TaskId: 3, Status: sessionstypes.TASK_STATUS_VALIDATED, ValidatedNodes: []string{"a", "b"}}, "mode", "EndBlock"),
		withAttr(t, &sessionstypes.EventTaskEnded{TaskId: 4, Status: sessionstypes.TASK_STATUS_FAILED}, "msg_index", "0"),
		{Type: "transfer", Attributes: []abci.EventAttribute{{Key: "amount", Value: "5ucor"}}},
		assignedEv,
		// a typed event whose own attribute is broken is skipped, not fatal
		{Type: assignedEv.Type, Attributes: []abci.EventAttribute{{Key: "task_id", Value: `"x"`}}},
	}}
	got := b.Typed()
	require.Len(t, got, 3)
	e0 := got[0].(*sessionstypes.EventTaskEnded)
	require.Equal(t, uint64(3), e0.TaskId)
	require.Equal(t, sessionstypes.TASK_STATUS_VALIDATED, e0.Status)
	require.Equal(t, []string{"a", "b"}, e0.ValidatedNodes)
	require.Equal(t, uint64(4), got[1].(*sessionstypes.EventTaskEnded).TaskId)
	a := got[2].(*sessionstypes.EventTaskAssigned)
	require.Equal(t, uint64(9), a.TaskId)
	require.Equal(t, []string{"n1", "n2"}, a.NodeIds)
}
