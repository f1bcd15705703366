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

// queueFullInBlock is the router batcher's Contended: a submit that finds its
// session's queue full in a block was pushed past max_queued_per_session by the
// router's own submits earlier in that block (its txs sent for two blocks landing in
// one), which no simulation on the state before the block would have seen. Each
// such failure made the next 16 batches simulate: at 5,000 clients every router tx
// of a run was simulated, about half of the node's simulation work.
func queueFullInBlock(err error) bool { return chain.Is(err, sessionstypes.ErrQueueFull) }
