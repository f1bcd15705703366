package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
)

// Block is one block's events as seen by a subscriber: the block's own
// (begin/end block: assignments, deadlines, validation) and, when TxEvents is set,
// those of its txs, which arrive separately and are delivered as extra Blocks of the
// same height with FromTx set.
type Block struct {
	Height int64
	Events []abci.Event
	FromTx bool
}

// Typed decodes the typed (proto) events of the block, skipping the SDK's
// untyped ones (message, transfer...).
//
// The SDK appends a plain-text attribute mode=BeginBlock or mode=EndBlock to every
// event emitted in BeginBlock and EndBlock, and that value is not JSON, so
// sdk.ParseTypedEvent fails on the whole event. Every EndBlock event was lost that
// way: x/sessions' EventTaskAssigned, EventCommitPhase and EventTaskEnded (assignment,
// deadlines and validation all run in EndBlock), x/audits' and x/challenges' epoch
// events, which left the miner and the other roles waiting for their poll and the
// dashboard's rates at 0. A typed event's own attributes are always JSON
// (sdk.TypedEventToEvent writes them so), so an attribute whose value is not JSON is
// one the SDK added and is skipped.
//
// Decoding is most of a subscriber's CPU under load (jsonpb per event, a few thousand
// events a block): a role that needs a few events reads their raw attributes (Attr,
// AttrUint, AttrStrings) and decodes only those (TypedEvent).
func (b Block) Typed() []proto.Message {
	var out []proto.Message
	for _, e := range b.Events {
		if proto.MessageType(e.Type) == nil {
			continue // an untyped SDK event (message, transfer, ...)
		}
		if m, err := TypedEvent(e); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// TypedEvent decodes one typed event, skipping the SDK's plain-text attributes (see
// Typed).
func TypedEvent(e abci.Event) (proto.Message, error) {
	clean := abci.Event{Type: e.Type, Attributes: make([]abci.EventAttribute, 0, len(e.Attributes))}
	for _, a := range e.Attributes {
		if json.Valid([]byte(a.Value)) {
			clean.Attributes = append(clean.Attributes, a)
		}
	}
	return sdk.ParseTypedEvent(clean)
}

// SubscribeConfig configures Subscribe.
type SubscribeConfig struct {
	// TxEvents also subscribes to txs' events (what their messages emit). Block
	// events are always delivered. Every tx's events are more to encode and read
	// (through CometBFT's websocket, once per subscriber), so roles that can follow
	// block events alone (the miner, the router) leave it off.
	TxEvents bool
	// Websocket subscribes through CometBFT's websocket even when the node serves
	// its own event stream (cortd.stream.v1), which is otherwise used: it costs the
	// node a JSON encoding of every block's events per subscriber.
	Websocket bool
	// Idle is how long without a block counts as a dropped connection (default 20 s):
	// the node keeps a subscription whose client stopped reading or whose network
	// path died, so a silent one is the only sign.
	Idle time.Duration
	// Backoff between reconnection attempts (default 1 s, doubling to 15 s).
	Backoff time.Duration
}

// Subscribe delivers block events to onBlock until ctx ends. onGap is called when
// events may have been missed: once when first subscribed, after every
// resubscription, and when block heights jump; the caller catches up from queries
// there (the miner re-reads its assignments). Both callbacks run on the
// subscriber's goroutine, in order. It returns ctx's error.
func (c *Client) Subscribe(ctx context.Context, cfg SubscribeConfig, onBlock func(Block), onGap func(reason string)) error {
	if cfg.Idle <= 0 {
		cfg.Idle = 20 * time.Second
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	backoff := cfg.Backoff
	for ctx.Err() == nil {
		err := c.subscribeOnce(ctx, cfg, onBlock, onGap)
		if ctx.Err() != nil {
			break
		}
		c.log.Warn("event subscription dropped; resubscribing", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 15*time.Second)
		if err == errIdleAfterEvents {
			backoff = cfg.Backoff
		}
	}
	return ctx.Err()
}

var errIdleAfterEvents = fmt.Errorf("no block within the idle limit")

// eventSource is a live subscription: the node's event stream or CometBFT's
// websocket.
type eventSource interface {
	// next returns the next block's (or tx's) events, nil for a message that carries
	// none, or an error: errEventDeadline when nothing came before deadline.
	next(deadline time.Time) (*Block, error)
	Close() error
}

// openEvents subscribes through the node's event stream (cortd.stream.v1), or
// CometBFT's websocket when cfg.Websocket is set or the node has no stream. It
// returns once the subscription is live, with the events that came before.
func (c *Client) openEvents(ctx context.Context, cfg SubscribeConfig) (eventSource, []*Block, error) {
	handshake := time.Now().Add(10 * time.Second)
	if !cfg.Websocket {
		s, err := openStream(ctx, c.conn, cfg.TxEvents, handshake, c.recent.add)
		if err == nil {
			return s, nil, nil
		}
		if !errors.Is(err, errStreamUnsupported) {
			return nil, nil, err
		}
		if c.noStream.CompareAndSwap(false, true) {
			c.log.Info("the node serves no event stream (cortd.stream.v1); subscribing through CometBFT's websocket", "rpc", c.cfg.RPC)
		}
	}
	dctx, cancel := context.WithDeadline(ctx, handshake)
	ws, err := dialEvents(dctx, c.cfg.RPC)
	cancel()
	if err != nil {
		return nil, nil, err
	}
	queries := []string{cmttypes.EventQueryNewBlockEvents.String()}
	if cfg.TxEvents {
		queries = append(queries, cmttypes.EventQueryTx.String())
	}
	for i, q := range queries {
		if err := ws.subscribe(i+1, q); err != nil {
			ws.Close()
			return nil, nil, fmt.Errorf("subscribe to %s: %w", q, err)
		}
	}
	// The node answers each subscription before it counts as active; the caller
	// catches up (onGap) only then, so nothing falls between its queries and the
	// first event. Events that come before the last answer wait for it.
	var early []*Block
	for answered := 0; answered < len(queries); {
		b, err := ws.next(handshake)
		if err != nil {
			ws.Close()
			return nil, nil, fmt.Errorf("subscribe: %w", err)
		}
		if b == nil {
			answered++
		} else {
			early = append(early, b)
		}
	}
	return ws, early, nil
}

func (c *Client) subscribeOnce(ctx context.Context, cfg SubscribeConfig, onBlock func(Block), onGap func(string)) error {
	src, early, err := c.openEvents(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	defer src.Close()
	// ctx ending closes the subscription, which ends a read in progress.
	stop := context.AfterFunc(ctx, func() { _ = src.Close() })
	defer stop()

	c.log.Debug("subscribed to chain events", "rpc", c.cfg.RPC, "tx_events", cfg.TxEvents)
	onGap("subscribed")

	var last int64
	lastAt, got := time.Now(), false
	deliver := func(b *Block) {
		if !b.FromTx {
			lastAt, got = time.Now(), true
			if last > 0 && b.Height > last+1 {
				onGap(fmt.Sprintf("heights %d..%d missed", last+1, b.Height-1))
			}
			last = max(last, b.Height)
		}
		onBlock(*b)
	}
	for _, b := range early {
		deliver(b)
	}
	for {
		// CometBFT's server never ends a subscription it keeps: a silent one is the
		// only sign of a dead connection.
		b, err := src.next(lastAt.Add(cfg.Idle))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, errEventDeadline) {
				if got {
					return errIdleAfterEvents
				}
				return fmt.Errorf("no block within %s of subscribing", cfg.Idle)
			}
			return err
		}
		if b != nil {
			deliver(b)
		}
	}
}

// Attr is the raw (JSON) value of an event's attribute, "" when absent.
func Attr(e abci.Event, key string) string {
	for _, a := range e.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// AttrUint reads a typed event's uint64 attribute (JSON writes it as a quoted decimal)
// without decoding the event; ok is false when it is absent or not a number.
func AttrUint(e abci.Event, key string) (uint64, bool) {
	v := Attr(e, key)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// AttrStrings reads a typed event's repeated string attribute (a JSON list); nil when
// absent or malformed.
func AttrStrings(e abci.Event, key string) []string {
	var out []string
	if err := json.Unmarshal([]byte(Attr(e, key)), &out); err != nil {
		return nil
	}
	return out
}
