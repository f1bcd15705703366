// Package stream serves committed blocks' events to the node's sidecars over gRPC
// (cortd.stream.v1.Stream), encoded in protobuf once per block per kind of
// subscription.
//
// CometBFT's websocket subscription encodes a block's events again for each
// subscriber, every attribute through jsonpb: with a validator's three miners and
// its router subscribed, that was 23 % of a loaded node's CPU, more than the
// block's execution. The hub is an ABCI listener (the SDK's streaming hook): it
// keeps FinalizeBlock's events and hands them to subscribers once the block is
// committed, so a subscriber that queries on an event reads the state it describes.
// It is not consensus code: it reads what the block produced and never writes.
package stream

import (
	"context"
	"crypto/sha256"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/app/stream/types"
)

const (
	// SubscriberBuffer is how many blocks a subscriber may lag before it is cut off:
	// the hub never waits on a subscriber, as the listener runs inside Commit.
	SubscriberBuffer = 16
	// MaxSubscribers bounds concurrent streams (each costs an encoding per block);
	// CometBFT's websocket allows 100 clients by default too.
	MaxSubscribers = 100
)

// Hub is the node side of the Stream service. It implements the SDK's
// storetypes.ABCIListener and types.StreamServer.
type Hub struct {
	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	pending map[*pendingSub]struct{} // PendingSubmits streams (pending.go)
	last    int64                    // the last committed height seen
	block   *block                   // FinalizeBlock's, until Commit
	closed  bool
}

var (
	_ storetypes.ABCIListener = (*Hub)(nil)
	_ types.StreamServer      = (*Hub)(nil)
)

// block is what FinalizeBlock produced, held until Commit.
type block struct {
	height int64
	events []abci.Event
	txs    [][]byte
	res    []*abci.ExecTxResult
}

type subscriber struct {
	txEvents bool
	ch       chan *types.BlockEventsResponse
	cut      chan struct{} // closed when the hub drops the subscriber; why says why
	why      error
}

// drop ends s's stream with err (h.mu held).
func (h *Hub) drop(s *subscriber, err error) {
	delete(h.subs, s)
	s.why = err
	close(s.cut)
}

// Close ends every stream (UNAVAILABLE: the node is stopping) and refuses new
// ones. The node's gRPC server stops gracefully, waiting for every open call, and
// an event stream never ends by itself: without this a node asked to stop kept
// running with its gRPC port closed.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		h.drop(s, errStopping)
	}
	for s := range h.pending {
		delete(h.pending, s)
		close(s.cut)
	}
}

var errStopping = status.Error(codes.Unavailable, "the node is stopping")

// NewHub makes a hub with no subscribers.
func NewHub() *Hub {
	return &Hub{subs: map[*subscriber]struct{}{}, pending: map[*pendingSub]struct{}{}}
}

// ListenFinalizeBlock keeps the block's events for ListenCommit.
func (h *Hub) ListenFinalizeBlock(_ context.Context, req abci.RequestFinalizeBlock, res abci.ResponseFinalizeBlock) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.block = &block{height: req.Height, events: res.Events, txs: req.Txs, res: res.TxResults}
	return nil
}

// ListenCommit hands the committed block's events to every subscriber, without
// waiting: one whose buffer is full is cut off.
func (h *Hub) ListenCommit(context.Context, abci.ResponseCommit, []*storetypes.StoreKVPair) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.block
	h.block = nil
	if b == nil {
		return nil
	}
	h.last = b.height
	// Built once per kind and shared: subscribers only read them.
	var plain, full *types.BlockEventsResponse
	for s := range h.subs {
		if plain == nil {
			plain = &types.BlockEventsResponse{Height: b.height, Events: convert(b.events), Txs: txResults(b.txs, b.res)}
		}
		m := plain
		if s.txEvents {
			if full == nil {
				full = &types.BlockEventsResponse{Height: b.height, Events: plain.Events, Txs: withEvents(plain.Txs, b.res)}
			}
			m = full
		}
		select {
		case s.ch <- m:
		default:
			h.drop(s, status.Errorf(codes.ResourceExhausted, "subscriber more than %d blocks behind; resubscribe", SubscriberBuffer))
		}
	}
	return nil
}

// BlockEvents streams committed blocks' events until the client leaves or lags.
func (h *Hub) BlockEvents(req *types.BlockEventsRequest, srv types.Stream_BlockEventsServer) error {
	s := &subscriber{
		txEvents: req.TxEvents,
		ch:       make(chan *types.BlockEventsResponse, SubscriberBuffer),
		cut:      make(chan struct{}),
	}
	var last int64
	if err := h.register(func() {
		h.subs[s] = struct{}{}
		last = h.last
	}); err != nil {
		return err
	}
	defer h.remove(s)

	if err := srv.Send(&types.BlockEventsResponse{Subscribed: true, Height: last}); err != nil {
		return err
	}
	for {
		select {
		case <-srv.Context().Done():
			return srv.Context().Err()
		case <-s.cut:
			h.mu.Lock()
			defer h.mu.Unlock()
			return s.why
		case m := <-s.ch:
			if err := srv.Send(m); err != nil {
				return err
			}
		}
	}
}

// register runs add (which records a new stream) under the hub's lock, unless the
// node is stopping or already serves MaxSubscribers streams of either kind.
func (h *Hub) register(add func()) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errStopping
	}
	if len(h.subs)+len(h.pending) >= MaxSubscribers {
		return status.Errorf(codes.ResourceExhausted, "the node serves at most %d event streams", MaxSubscribers)
	}
	add()
	return nil
}

// Subscribers is how many streams are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (h *Hub) remove(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

func convert(in []abci.Event) []types.Event {
	out := make([]types.Event, len(in))
	for i, e := range in {
		attrs := make([]types.EventAttribute, len(e.Attributes))
		for j, a := range e.Attributes {
			attrs[j] = types.EventAttribute{Key: a.Key, Value: a.Value, Index: a.Index}
		}
		out[i] = types.Event{Type: e.Type, Attributes: attrs}
	}
	return out
}

// txResults are the block's tx results without their events.
func txResults(txs [][]byte, res []*abci.ExecTxResult) []types.TxEvents {
	out := make([]types.TxEvents, len(res))
	for i, r := range res {
		if r == nil {
			continue
		}
		out[i] = types.TxEvents{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Data: r.Data,
			GasWanted: r.GasWanted, GasUsed: r.GasUsed}
		if i < len(txs) {
			h := sha256.Sum256(txs[i])
			out[i].Hash = h[:]
		}
	}
	return out
}

// withEvents is a copy of results with each tx's events added.
func withEvents(results []types.TxEvents, res []*abci.ExecTxResult) []types.TxEvents {
	out := make([]types.TxEvents, len(results))
	for i := range results {
		out[i] = results[i]
		if res[i] != nil {
			out[i].Events = convert(res[i].Events)
		}
	}
	return out
}
