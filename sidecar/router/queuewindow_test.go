package router

import (
	"testing"

	"github.com/stretchr/testify/require"

	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Submits are keyed by session at max_queued_per_session; other messages are not
// bounded.
func TestQueueWindowKeysSubmitsBySession(t *testing.T) {
	w := newQueueWindow()
	k, limit := w.key(&sessionstypes.MsgSubmitTask{SessionId: 7})
	require.Equal(t, "7", k)
	require.Equal(t, int(sessionstypes.DefaultParams().MaxQueuedPerSession), limit)
	w.limit.Store(40)
	k2, limit := w.key(&sessionstypes.MsgSubmitTask{SessionId: 8})
	require.Equal(t, "8", k2)
	require.Equal(t, 40, limit)
	k, limit = w.key(&banktypes.MsgSend{})
	require.Empty(t, k)
	require.Zero(t, limit)
}
