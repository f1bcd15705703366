package router

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// queueWindow is the router batcher's Window with --submit-window: a session's
// submits in flight stay within max_queued_per_session. A session's queue grows
// with every submit of a block and empties only in its EndBlock, so two of the
// router's txs landing in one block with more submits together than the bound make
// the later one fail in the block at the first submit past it: the tx reverts, is
// split and sent again, and the next batches are simulated. With the window, the
// submits past the bound wait for the next block instead. Under load a tx lands two
// blocks after it was sent, so that caps a session near max_queued_per_session per
// two blocks: measured on 2 cores at 5,000 clients, 208 requests/s with the window
// against 270-300 without, which is why it is off by default.
type queueWindow struct {
	limit atomic.Int64 // the chain's max_queued_per_session
}

// newQueueWindow starts at the parameter's default until read from the chain.
func newQueueWindow() *queueWindow {
	w := &queueWindow{}
	w.limit.Store(int64(sessionstypes.DefaultParams().MaxQueuedPerSession))
	return w
}

// key is a submit's session (other messages are not bounded).
func (w *queueWindow) key(m sdk.Msg) (string, int) {
	sub, ok := m.(*sessionstypes.MsgSubmitTask)
	if !ok {
		return "", 0
	}
	return strconv.FormatUint(sub.SessionId, 10), int(w.limit.Load())
}

// follow reads max_queued_per_session now and every interval until ctx ends
// (governance may change it); a failed read keeps the last value.
func (w *queueWindow) follow(ctx context.Context, c *chain.Client, interval time.Duration, log *slog.Logger) {
	for {
		qctx, cancel := c.QueryCtx(ctx)
		res, err := c.Sessions.Params(qctx, &sessionstypes.QueryParamsRequest{})
		cancel()
		switch {
		case err != nil:
			log.Warn("router: reading max_queued_per_session (the submit window keeps its last value)", "limit", w.limit.Load(), "err", err)
		case res.Params.MaxQueuedPerSession > 0:
			w.limit.Store(int64(res.Params.MaxQueuedPerSession))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
