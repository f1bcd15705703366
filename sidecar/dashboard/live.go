package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/cosmos/gogoproto/proto"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// EventSource feeds the live view: chain.Client.Subscribe in production (new
// blocks and module events over the node's websocket, resubscribing after a
// drop), a fake in tests. onGap("subscribed") marks every (re)subscription.
type EventSource func(ctx context.Context, onBlock func(chain.Block), onGap func(reason string)) error

// FromClient adapts chain.Client.Subscribe, with tx events so that module events
// emitted by txs (precommits, votes, submissions) reach the page too.
func FromClient(c *chain.Client, idle time.Duration) EventSource {
	return func(ctx context.Context, onBlock func(chain.Block), onGap func(string)) error {
		return c.Subscribe(ctx, chain.SubscribeConfig{TxEvents: true, Idle: idle}, onBlock, onGap)
	}
}

// LinkState is the websocket's state as the page shows it.
type LinkState struct {
	State        string    `json:"state"` // "connecting", "connected", "dropped", "reconnected"
	Since        time.Time `json:"since"`
	LastHeight   int64     `json:"last_height"`
	LastBlock    time.Time `json:"last_block"`
	Reconnects   uint64    `json:"reconnects"`
	LastDrop     time.Time `json:"last_drop,omitzero"`
	Subscription string    `json:"subscription,omitempty"`
}

// liveEvent is one server-sent event.
type liveEvent struct {
	Name string
	Data []byte
}

// window keeps what the overview's rates need from the last blocks' events.
type window struct {
	at        time.Time
	ended     int
	validated int
	failed    int
	tokens    uint64
}

// Live fans chain events out to the browsers connected to /events and keeps the
// link state and the overview's rolling rates.
type Live struct {
	mu     sync.Mutex
	link   LinkState
	subs   map[chan liveEvent]struct{}
	recent []window // one per block with task endings, newest last
	// since is when the feed first delivered anything: the rates divide by the time
	// actually watched, not by a full Span the dashboard was not running for.
	since   time.Time
	Span    time.Duration
	now     func() time.Time
	metrics *metrics
	// TaskTokens looks up a validated task's completion tokens (the overview's
	// tokens per second); nil: not counted.
	TaskTokens func(ctx context.Context, taskID uint64) (uint64, bool)
}

// maxTokenLookups bounds the task queries one block can cause.
const maxTokenLookups = 20

func newLive(m *metrics) *Live {
	return &Live{subs: map[chan liveEvent]struct{}{}, Span: 10 * time.Minute, now: time.Now,
		link: LinkState{State: "connecting", Since: time.Now()}, metrics: m}
}

// Link returns the current link state.
func (l *Live) Link() LinkState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.link
}

// minRateSpan is the shortest time the rates are divided by, so that one task seen
// a second after start does not read as 60 tasks per minute.
const minRateSpan = time.Minute

// Rates are the overview's figures over the events seen in the last Span (or since
// the feed started, when that is shorter).
type Rates struct {
	Window         string  `json:"window"`
	WindowSeconds  float64 `json:"window_seconds"`
	TasksPerMinute float64 `json:"tasks_per_minute"`
	Validated      int     `json:"validated"`
	Failed         int     `json:"failed"`
	ValidatedShare float64 `json:"validated_share"`
	// TokensPerSecond counts the completion tokens of validated tasks.
	TokensPerSecond float64 `json:"tokens_per_second"`
}

// Rates sums the window.
func (l *Live) Rates() Rates {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.trim()
	span := l.watched()
	r := Rates{Window: span.Round(time.Second).String(), WindowSeconds: span.Seconds()}
	ended := 0
	var tokens uint64
	for _, w := range l.recent {
		ended += w.ended
		r.Validated += w.validated
		r.Failed += w.failed
		tokens += w.tokens
	}
	r.TokensPerSecond = float64(tokens) / span.Seconds()
	r.TasksPerMinute = float64(ended) / span.Minutes()
	if r.Validated+r.Failed > 0 {
		r.ValidatedShare = float64(r.Validated) / float64(r.Validated+r.Failed)
	}
	return r
}

// watched is the time the rates cover: the last Span, or less when the feed started
// later, but never under minRateSpan (nor over Span). Called with mu held.
func (l *Live) watched() time.Duration {
	if l.since.IsZero() {
		return l.Span
	}
	return min(l.Span, max(l.now().Sub(l.since), min(minRateSpan, l.Span)))
}

// markStart records when the feed first delivered something. Called with mu held.
func (l *Live) markStart() {
	if l.since.IsZero() {
		l.since = l.now()
	}
}

func (l *Live) trim() {
	cut := l.now().Add(-l.Span)
	i := sort.Search(len(l.recent), func(i int) bool { return l.recent[i].at.After(cut) })
	l.recent = l.recent[i:]
}

// Run feeds the hub from src until ctx ends. A dropped link is noticed two ways:
// src resubscribes (a second "subscribed"), or no block arrives within stall,
// which the watchdog reports as dropped before the resubscription lands.
func (l *Live) Run(ctx context.Context, src EventSource, stall time.Duration) error {
	if stall > 0 {
		go l.watch(ctx, stall)
	}
	return src(ctx, l.onBlock, l.onGap)
}

func (l *Live) watch(ctx context.Context, stall time.Duration) {
	t := time.NewTicker(stall / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.mu.Lock()
			last := l.link.LastBlock
			if last.IsZero() {
				last = l.link.Since
			}
			stalled := l.link.State != "dropped" && l.link.State != "connecting" && l.now().Sub(last) > stall
			if stalled {
				l.link.State, l.link.Since, l.link.LastDrop = "dropped", l.now(), l.now()
			}
			link := l.link
			l.mu.Unlock()
			if stalled {
				l.publish("link", link)
			}
		}
	}
}

func (l *Live) onGap(reason string) {
	l.mu.Lock()
	l.markStart()
	if reason == "subscribed" {
		switch l.link.State {
		case "connecting":
			l.link.State = "connected"
		default:
			l.link.State = "reconnected"
			l.link.Reconnects++
			if l.link.LastDrop.IsZero() {
				l.link.LastDrop = l.now()
			}
			if l.metrics != nil {
				l.metrics.reconnects.Add(1)
			}
		}
		l.link.Since = l.now()
	}
	l.link.Subscription = reason
	link := l.link
	l.mu.Unlock()
	l.publish("link", link)
}

// blockNews is the data of a "block" event.
type blockNews struct {
	Height int64          `json:"height"`
	FromTx bool           `json:"from_tx"`
	Events map[string]int `json:"events"` // typed event name -> count
}

func (l *Live) onBlock(b chain.Block) {
	news := blockNews{Height: b.Height, FromTx: b.FromTx, Events: map[string]int{}}
	w := window{at: l.now()}
	for _, m := range b.Typed() {
		news.Events[proto.MessageName(m)]++
		if e, ok := m.(*sessionstypes.EventTaskEnded); ok {
			w.ended++
			switch e.Status {
			case sessionstypes.TASK_STATUS_VALIDATED:
				w.validated++
				if l.TaskTokens != nil && w.validated <= maxTokenLookups {
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					if n, ok := l.TaskTokens(ctx, e.TaskId); ok {
						w.tokens += n
					}
					cancel()
				}
			case sessionstypes.TASK_STATUS_FAILED:
				w.failed++
			}
		}
	}
	l.mu.Lock()
	l.markStart()
	if !b.FromTx {
		l.link.LastHeight, l.link.LastBlock = b.Height, l.now()
		if l.link.State == "dropped" {
			// Blocks flow again on the same subscription: the stall was the chain's, or
			// the link recovered before the client noticed.
			l.link.State, l.link.Since = "reconnected", l.now()
		}
	}
	if w.ended > 0 {
		l.recent = append(l.recent, w)
	}
	l.trim()
	l.mu.Unlock()
	l.publish("block", news)
}

func (l *Live) publish(name string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	ev := liveEvent{Name: name, Data: data}
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs {
		select {
		case ch <- ev:
		default: // a slow browser misses an update rather than blocking the feed
		}
	}
}

func (l *Live) subscribe() (chan liveEvent, func()) {
	ch := make(chan liveEvent, 16)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	if l.metrics != nil {
		l.metrics.sseClients.Add(1)
	}
	return ch, func() {
		l.mu.Lock()
		delete(l.subs, ch)
		l.mu.Unlock()
		if l.metrics != nil {
			l.metrics.sseClients.Add(-1)
		}
	}
}

// ServeHTTP is the /events endpoint (text/event-stream): the link state first,
// then "block" and "link" events as they come, and a comment every 15 s so
// proxies keep the stream open.
func (l *Live) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, done := l.subscribe()
	defer done()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	link, _ := json.Marshal(l.Link())
	fmt.Fprintf(w, "retry: 3000\nevent: link\ndata: %s\n\n", link)
	fl.Flush()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case ev := <-ch:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Name, ev.Data)
		}
		fl.Flush()
	}
}
