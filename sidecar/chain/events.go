package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
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
	// events are always delivered. The node encodes every
	// subscribed tx once per subscriber, so roles that can follow block events alone
	// (the miner, the router) leave it off.
	TxEvents bool
	// Idle is how long without a block counts as a dropped connection (default 20 s):
	// CometBFT's websocket client never closes a subscription channel, so a silent
	// one is the only sign of a dead connection.
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

func (c *Client) subscribeOnce(ctx context.Context, cfg SubscribeConfig, onBlock func(Block), onGap func(string)) error {
	ws, err := rpchttp.New(c.cfg.RPC, "/websocket")
	if err != nil {
		return err
	}
	if err := ws.Start(); err != nil {
		return fmt.Errorf("websocket start: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = ws.UnsubscribeAll(uctx, "cortd-sidecar")
		cancel()
		_ = ws.Stop()
	}()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	blocks, err := ws.Subscribe(sctx, "cortd-sidecar", cmttypes.EventQueryNewBlockEvents.String(), 256)
	if err != nil {
		cancel()
		return fmt.Errorf("subscribe to block events: %w", err)
	}
	var txs <-chan ctypes.ResultEvent
	if cfg.TxEvents {
		txs, err = ws.Subscribe(sctx, "cortd-sidecar", cmttypes.EventQueryTx.String(), 1024)
		if err != nil {
			cancel()
			return fmt.Errorf("subscribe to tx events: %w", err)
		}
	}
	cancel()
	c.log.Debug("subscribed to chain events", "rpc", c.cfg.RPC, "tx_events", cfg.TxEvents)
	onGap("subscribed")
	idle := time.NewTimer(cfg.Idle)
	defer idle.Stop()
	var last int64
	got := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-idle.C:
			if got {
				return errIdleAfterEvents
			}
			return fmt.Errorf("no block within %s of subscribing", cfg.Idle)
		case ev := <-blocks:
			d, ok := ev.Data.(cmttypes.EventDataNewBlockEvents)
			if !ok {
				continue
			}
			idle.Reset(cfg.Idle)
			got = true
			if last > 0 && d.Height > last+1 {
				onGap(fmt.Sprintf("heights %d..%d missed", last+1, d.Height-1))
			}
			if d.Height > last {
				last = d.Height
			}
			onBlock(Block{Height: d.Height, Events: d.Events})
		case ev := <-txs:
			d, ok := ev.Data.(cmttypes.EventDataTx)
			if !ok {
				continue
			}
			onBlock(Block{Height: d.Height, Events: d.Result.Events, FromTx: true})
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
