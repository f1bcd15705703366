package chain

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	streamtypes "github.com/cortnet/cortd/app/stream/types"
)

// streamEvents is a subscription to the node's own event stream
// (cortd.stream.v1.Stream/BlockEvents): protobuf, encoded once per block on the
// node, where CometBFT's websocket encodes each block's events in JSON again for
// every subscriber.
type streamEvents struct {
	s        streamtypes.Stream_BlockEventsClient
	cancel   context.CancelFunc
	txEvents bool
	// onTxs receives each block's tx results before the block is delivered, so a
	// sender woken by the block finds its tx's result (Client.recent).
	onTxs func(height int64, txs []streamtypes.TxEvents)
	// queue holds the rest of a block's message: its txs' events, delivered as
	// Blocks of their own after the block's (as CometBFT's Tx events follow its
	// NewBlockEvents).
	queue []*Block

	mu      sync.Mutex
	expired bool
}

// errStreamUnsupported: the node serves no event stream (an older cortd, or
// another chain's node); the subscriber uses the websocket.
var errStreamUnsupported = errors.New("the node serves no cortd.stream.v1 event stream")

// errEventDeadline: no message came before the deadline given to next.
var errEventDeadline = errors.New("no event message before the deadline")

// openStream subscribes and waits (until handshake) for the node's first message,
// which says the subscription is live.
func openStream(ctx context.Context, conn *grpc.ClientConn, txEvents bool, handshake time.Time, onTxs func(int64, []streamtypes.TxEvents)) (*streamEvents, error) {
	sctx, cancel := context.WithCancel(ctx)
	s, err := streamtypes.NewStreamClient(conn).BlockEvents(sctx, &streamtypes.BlockEventsRequest{TxEvents: txEvents},
		grpc.MaxCallRecvMsgSize(maxEventMessage))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("event stream: %w", err)
	}
	e := &streamEvents{s: s, cancel: cancel, txEvents: txEvents, onTxs: onTxs}
	m, err := e.recv(handshake)
	switch {
	case status.Code(err) == codes.Unimplemented:
		e.Close()
		return nil, errStreamUnsupported
	case err != nil:
		e.Close()
		return nil, fmt.Errorf("event stream: %w", err)
	case !m.Subscribed:
		e.Close()
		return nil, fmt.Errorf("event stream: the node's first message is not the subscription's answer")
	}
	return e, nil
}

func (e *streamEvents) Close() error {
	e.cancel()
	return nil
}

// recv reads one message; the stream is cancelled when deadline passes first (a
// stream can't be read again after that: the subscriber reconnects).
func (e *streamEvents) recv(deadline time.Time) (*streamtypes.BlockEventsResponse, error) {
	t := time.AfterFunc(time.Until(deadline), func() {
		e.mu.Lock()
		e.expired = true
		e.mu.Unlock()
		e.cancel()
	})
	m, err := e.s.Recv()
	t.Stop()
	if err != nil {
		e.mu.Lock()
		expired := e.expired
		e.mu.Unlock()
		if expired {
			return nil, errEventDeadline
		}
		return nil, err
	}
	return m, nil
}

// next returns the next Block: a block's own events, then one per tx.
func (e *streamEvents) next(deadline time.Time) (*Block, error) {
	if len(e.queue) > 0 {
		b := e.queue[0]
		e.queue = e.queue[1:]
		return b, nil
	}
	m, err := e.recv(deadline)
	if err != nil {
		return nil, err
	}
	if m.Subscribed {
		return nil, nil
	}
	if e.onTxs != nil {
		e.onTxs(m.Height, m.Txs)
	}
	if e.txEvents {
		for _, tx := range m.Txs {
			e.queue = append(e.queue, &Block{Height: m.Height, Events: fromStream(tx.Events), FromTx: true})
		}
	}
	return &Block{Height: m.Height, Events: fromStream(m.Events)}, nil
}

func fromStream(in []streamtypes.Event) []abci.Event {
	out := make([]abci.Event, len(in))
	for i, e := range in {
		attrs := make([]abci.EventAttribute, len(e.Attributes))
		for j, a := range e.Attributes {
			attrs[j] = abci.EventAttribute{Key: a.Key, Value: a.Value, Index: a.Index}
		}
		out[i] = abci.Event{Type: e.Type, Attributes: attrs}
	}
	return out
}
