package router

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// queueFullFate is the router batcher's SameFate: a submit refused because its session
// has max_queued_per_session tasks queued dooms the submits to that session after it in
// the batch (the queue only grows within a tx), which then get the same 429 queue_full
// at once. Under a burst past the queue, splitting them off one by one simulated the
// rest of a ~1,000-submit batch per refused submit (a fifth of the node's CPU).
func queueFullFate(refused sdk.Msg, err error) func(sdk.Msg) bool {
	sub, ok := refused.(*sessionstypes.MsgSubmitTask)
	if !ok || !chain.Is(err, sessionstypes.ErrQueueFull) {
		return nil
	}
	return func(m sdk.Msg) bool {
		o, ok := m.(*sessionstypes.MsgSubmitTask)
		return ok && o.SessionId == sub.SessionId
	}
}
