package stream

import (
	"github.com/cortnet/cortd/app/stream/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// PendingBuffer is how many admitted txs' submissions a subscriber may have unsent;
// past it the hub drops them for that subscriber (and says how many in the next
// message it sends) instead of waiting: PublishSubmits runs inside CheckTx.
const PendingBuffer = 1024

// pendingSub is one PendingSubmits stream.
type pendingSub struct {
	ch      chan *types.PendingSubmitsResponse
	dropped uint64 // missed since the last message queued (h.mu)
	cut     chan struct{}
}

// PublishSubmits hands the task submissions of a tx the mempool admitted to every
// PendingSubmits stream, without waiting. The caller is the ante chain in CheckTx
// (app/pendingsubmits.go); nothing here touches state.
func (h *Hub) PublishSubmits(submits []sessionstypes.MsgSubmitTask) {
	if len(submits) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.pending {
		m := &types.PendingSubmitsResponse{Submits: submits, Dropped: s.dropped}
		select {
		case s.ch <- m:
			s.dropped = 0
		default:
			s.dropped++
		}
	}
}

// WantsSubmits says whether any PendingSubmits stream is open.
func (h *Hub) WantsSubmits() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.pending) > 0
}

// PendingSubmits streams the submissions of admitted txs until the client leaves.
func (h *Hub) PendingSubmits(_ *types.PendingSubmitsRequest, srv types.Stream_PendingSubmitsServer) error {
	s := &pendingSub{ch: make(chan *types.PendingSubmitsResponse, PendingBuffer), cut: make(chan struct{})}
	if err := h.register(func() { h.pending[s] = struct{}{} }); err != nil {
		return err
	}
	defer func() {
		h.mu.Lock()
		delete(h.pending, s)
		h.mu.Unlock()
	}()
	if err := srv.Send(&types.PendingSubmitsResponse{Subscribed: true}); err != nil {
		return err
	}
	for {
		select {
		case <-srv.Context().Done():
			return srv.Context().Err()
		case <-s.cut:
			return errStopping
		case m := <-s.ch:
			if err := srv.Send(m); err != nil {
				return err
			}
		}
	}
}
