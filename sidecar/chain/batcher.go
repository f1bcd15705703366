package chain

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
)

// BatcherConfig bounds a Batcher's txs and says when it sends them.
type BatcherConfig struct {
	// MaxMsgs bounds the messages of one tx (default 64; 1 sends every group on
	// its own, as an unbatched sender would).
	MaxMsgs int
	// MaxTxBytes bounds the summed encoded size of one tx's messages (default
	// 512 KiB; the node's mempool refuses txs over its max_tx_bytes, 1 MiB by default).
	MaxTxBytes int
	// Lead: with block notices (OnBlock) the pending messages are sent this long
	// before the next block is expected (default 250 ms), so that they make that
	// block's proposal. The proposal is made before the block's notice by the time
	// the node takes to execute and commit it, which grows with load (CometBFT
	// starts the next height timeout_commit after the block's votes, not after its
	// execution), so the lead adapts when notices carry heights: a tx sent at its
	// send point that lands a block late moves the send point earlier (up to
	// maxLead of the interval), one that lands in the block it aimed at moves it
	// back by a fifth as much.
	Lead time.Duration
	// Linger: without block notices, or when a block is later than expected, the
	// pending messages are sent this long after the first of them (default 200 ms).
	Linger time.Duration
	// TTL is how far ahead a tx's timeout timestamp is set (default 20 s). A tx
	// that is not in a block by then never will be, and is sent again.
	TTL time.Duration
	// MaxResends bounds how often a group is sent again after its tx was not
	// included (dropped from a full mempool) or the mempool was full (default 5).
	MaxResends int
	// Poll is the interval of the inclusion check by hash when no block notices
	// come (default 250 ms); with them, a tx is looked up shortly after each block
	// (and once more if the node's tx index was behind), and every 4 intervals
	// at the latest.
	Poll time.Duration
	// GiveUp bounds the wait past a tx's timeout when the chain's block time
	// cannot be read (node down): the outcome is then unknown (default 2 min).
	GiveUp time.Duration
	// SameFate, when set, says which messages after a refused one would be refused
	// for the same reason in the same state (the router: submits to a session the
	// chain just answered "queue full"). The refused message's group and the later
	// groups whose every message it matches end with its error at once, instead of
	// one split and one simulation of the rest per refused message. nil: none do.
	SameFate func(refused sdk.Msg, err error) func(sdk.Msg) bool
	// Window, when set, keys the messages whose count in flight is bounded (see
	// batchwindow.go): it returns a message's key and the most messages of that key
	// that may be in txs not yet known to have landed or failed ("" or a limit of 0:
	// unbounded). The router keys submits by session, at max_queued_per_session.
	Window func(sdk.Msg) (key string, limit int)
	// Contended, when set, names the errors a message gets in a block because of the
	// other txs in it (the router: a session's queue filled by its earlier submits of
	// the block). A tx that fails in its block with one is split and sent again as
	// any other, but it does not make the sender simulate its next batches: their
	// simulations would run on the state before the block and pass.
	Contended func(err error) bool
}

func (c *BatcherConfig) defaults() {
	if c.MaxMsgs <= 0 {
		c.MaxMsgs = 1000
	}
	if c.MaxTxBytes <= 0 {
		c.MaxTxBytes = 512 << 10
	}
	if c.Lead <= 0 {
		c.Lead = 250 * time.Millisecond
	}
	if c.Linger <= 0 {
		c.Linger = 200 * time.Millisecond
	}
	if c.TTL <= 0 {
		c.TTL = 20 * time.Second
	}
	if c.MaxResends <= 0 {
		c.MaxResends = 5
	}
	if c.Poll <= 0 {
		c.Poll = 250 * time.Millisecond
	}
	if c.GiveUp <= 0 {
		c.GiveUp = 2 * time.Minute
	}
}

// BatchResult is what became of one group of messages: the tx that carried it
// and the index of the group's first message in that tx (for MsgResponse), or
// the group's own error.
type BatchResult struct {
	Tx    *sdk.TxResponse
	Index int
	Err   error
}

// BatcherStats counts what a Batcher did (for /metrics).
type BatcherStats struct {
	// Txs and Msgs: txs broadcast and the messages they carried (Msgs/Txs is the
	// mean messages per tx); MaxMsgs is the most in one tx.
	Txs, Msgs, MaxMsgs atomic.Uint64
	// Splits: failed multi-group txs split to isolate the failing message;
	// Resends: groups sent again after a tx was not included or the mempool was full.
	Splits, Resends atomic.Uint64
	// Aimed: txs sent at their send point that landed; Late: those of them that
	// missed the block they were sent for. LeadMillis: the send point's lead now.
	Aimed, Late, LeadMillis atomic.Uint64
	// Windowed: groups that waited for room in the window (BatcherConfig.Window).
	Windowed atomic.Uint64
	// Delivered and Failed count groups by outcome.
	Delivered, Failed atomic.Uint64
}

// ErrBatcherClosed answers groups added after Close, or pending at it.
var ErrBatcherClosed = errors.New("chain: batcher closed")

// errEmptyGroup answers a group with no message.
var errEmptyGroup = errors.New("chain: empty message group")

// group is messages that go into one tx together (a request's tasks) and share
// one outcome.
type group struct {
	msgs   []sdk.Msg
	size   int
	done   func(BatchResult)
	window []windowUse // its share of the window (BatcherConfig.Window)
	waited bool        // it has waited for the window (counted once)
}

// Batcher collects the messages a role owes and sends them as few unordered
// multi-message txs: at most one tx per block under the bounds, more only when
// MaxMsgs or MaxTxBytes is reached. Each group gets its own outcome.
//
// An SDK tx is atomic: one failing message reverts the whole tx. A failed tx is
// therefore split: when the chain names the failing message ("message index: N",
// from simulation or execution) its group is sent alone (so its error is its own)
// and the others again without it; otherwise the tx is bisected. Nothing is ever
// applied twice: a group is sent again only when its tx is known not to be in a
// block — refused in simulation or CheckTx, executed and reverted, or not found
// once the chain's block time has passed its timeout timestamp (an unordered tx
// cannot land after that). A broadcast whose answer is lost is followed by its
// hash, which is known before sending.
type Batcher struct {
	tx  TxSender
	cfg BatcherConfig
	log *slog.Logger
	now func() time.Time

	Stats BatcherStats

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu           sync.Mutex
	pending      []*group
	pendingMsgs  int
	pendingBytes int
	// waiting: groups that did not fit the window at a send point, in order; they go
	// first at the next one after a release. inflight: messages per window key in
	// txs sent and not yet ended.
	waiting   []*group
	inflight  map[string]int
	firstAt   time.Time     // when the oldest pending group came
	lastBlock time.Time     // when the last block notice came
	height    int64         // the last block notice's height (0: not given)
	lead      time.Duration // the send point's lead, learned from Lead (see BatcherConfig.Lead)
	interval  time.Duration // expected time between block notices (median of gaps)
	gaps      blockGaps     // the last gaps between block notices
	timer     *time.Timer
	closed    bool
	// blockCh is closed at the next block notice (and replaced): inclusion checks
	// wait on it, so a tx in flight costs one lookup per block, not one per Poll.
	blockCh chan struct{}
}

// nextBlock returns a channel closed at the next block notice, and whether block
// notices come at all (the interval is known).
func (b *Batcher) nextBlock() (<-chan struct{}, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.blockCh == nil {
		b.blockCh = make(chan struct{})
	}
	return b.blockCh, b.interval > 0
}

// NewBatcher makes a batcher sending through tx. Close stops it.
func NewBatcher(tx TxSender, cfg BatcherConfig, log *slog.Logger) *Batcher {
	cfg.defaults()
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Batcher{tx: tx, cfg: cfg, log: log, now: time.Now, ctx: ctx, cancel: cancel, lead: cfg.Lead}
	b.Stats.LeadMillis.Store(uint64(cfg.Lead.Milliseconds()))
	return b
}

// NewBatcher makes a batcher sending as this signer.
func (s *Signer) NewBatcher(cfg BatcherConfig) *Batcher {
	return NewBatcher(s.TxSender(), cfg, s.log)
}

// Add queues msgs as one group: they go into the same tx and share one outcome,
// which done receives (on another goroutine) once it is known.
func (b *Batcher) Add(msgs []sdk.Msg, done func(BatchResult)) {
	if len(msgs) == 0 {
		go done(BatchResult{Err: errEmptyGroup})
		return
	}
	g := &group{msgs: msgs, done: done, window: b.windowOf(msgs)}
	for _, m := range msgs {
		g.size += proto.Size(m)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		go done(BatchResult{Err: ErrBatcherClosed})
		return
	}
	// A group that would overflow the pending tx closes it first; a group over
	// the bounds on its own still goes, alone (its own error if the chain refuses it).
	if len(b.pending) > 0 && (b.pendingMsgs+len(msgs) > b.cfg.MaxMsgs || b.pendingBytes+g.size > b.cfg.MaxTxBytes) {
		b.flushLocked(0)
	}
	if len(b.pending) == 0 {
		b.firstAt = b.now()
	}
	b.pending = append(b.pending, g)
	b.pendingMsgs += len(msgs)
	b.pendingBytes += g.size
	if b.pendingMsgs >= b.cfg.MaxMsgs || b.pendingBytes >= b.cfg.MaxTxBytes {
		b.flushLocked(0)
		return
	}
	b.scheduleLocked()
}

// Send queues msgs as one group and waits for its outcome: the tx that carried
// it and the index of its first message there. The group goes whatever ctx does;
// ctx only ends the wait.
func (b *Batcher) Send(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, int, error) {
	ch := make(chan BatchResult, 1)
	b.Add(msgs, func(r BatchResult) { ch <- r })
	select {
	case r := <-ch:
		return r.Tx, r.Index, r.Err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

// OnBlock tells the batcher block height was committed (call it from a block
// subscription, before acting on the block's events): it learns the block
// interval and sends what is pending shortly before the next block is expected.
// With height 0 (unknown) the send point's lead does not adapt.
func (b *Batcher) OnBlock(height int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.height = height
	now, prev := b.now(), b.lastBlock
	if !prev.IsZero() {
		// A gap of more than a minute is a stalled chain or a lost subscription,
		// not the block interval.
		if gap := now.Sub(prev); gap > 0 && gap < time.Minute {
			b.interval = b.gaps.add(gap)
		}
	}
	b.lastBlock = now
	if b.blockCh != nil {
		close(b.blockCh)
		b.blockCh = nil
	}
	if len(b.pending)+len(b.waiting) == 0 {
		return
	}
	// Messages that came before the previous block and are still pending have
	// missed two blocks (each came before its send point): they go now. Those that
	// missed only this one wait for the next send point, with what comes meanwhile
	// (sending them at every early block made twice the txs, each simulated, and
	// cost more throughput than the block they wait).
	if !prev.IsZero() && b.firstAt.Before(prev) {
		b.flushLocked(0)
		return
	}
	b.scheduleLocked()
}

// blockGaps keeps the last few gaps between block notices. Their (lower) median
// is the expected interval: a halt of the chain, or one slow block under load, is
// one outlier and does not move it, where a running mean would stay inflated for
// blocks after (and push every send point past the block it was meant for).
type blockGaps struct {
	ring [5]time.Duration
	n    int // gaps recorded, up to len(ring)
	next int
}

// add records gap and returns the median of the recorded gaps.
func (g *blockGaps) add(gap time.Duration) time.Duration {
	g.ring[g.next] = gap
	g.next = (g.next + 1) % len(g.ring)
	g.n = min(g.n+1, len(g.ring))
	sorted := g.ring
	slices.Sort(sorted[:g.n])
	return sorted[(g.n-1)/2]
}

// Flush sends what is pending now.
func (b *Batcher) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending)+len(b.waiting) > 0 {
		b.flushLocked(0)
	}
}

// Close sends nothing more: pending groups and those still in flight end with
// ErrBatcherClosed or the context's error (a tx already broadcast may still
// land; its messages are idempotent or the caller re-reads the chain).
func (b *Batcher) Close() {
	b.mu.Lock()
	b.closed = true
	pending := append(b.waiting, b.pending...)
	b.pending, b.pendingMsgs, b.pendingBytes, b.waiting = nil, 0, 0, nil
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	for _, g := range pending {
		b.Stats.Failed.Add(1)
		g.done(BatchResult{Err: ErrBatcherClosed})
	}
	b.cancel()
	b.wg.Wait()
}

// flushDue is when pending messages, the first of which came at first, are sent:
// shortly before the next block is expected when block notices come (lead before
// it, at most maxLead of the interval), or linger after the first message when
// there are none or the expected block is already late.
func flushDue(first, lastBlock time.Time, interval, lead, linger time.Duration) time.Time {
	if !lastBlock.IsZero() && interval > 0 {
		due := lastBlock.Add(interval - min(lead, maxLead(interval)))
		if !due.Before(first) {
			return due
		}
	}
	return first.Add(linger)
}

// scheduleLocked arms the timer for the pending messages' due time.
func (b *Batcher) scheduleLocked() {
	d := flushDue(b.firstAt, b.lastBlock, b.interval, b.lead, b.cfg.Linger).Sub(b.now())
	if b.timer == nil {
		b.timer = time.AfterFunc(max(d, 0), b.onTimer)
		return
	}
	b.timer.Reset(max(d, 0))
}

func (b *Batcher) onTimer() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending)+len(b.waiting) == 0 || b.closed {
		return
	}
	// A block notice may have moved the due time since the timer was armed.
	if due := flushDue(b.firstAt, b.lastBlock, b.interval, b.lead, b.cfg.Linger); b.now().Before(due) {
		b.timer.Reset(due.Sub(b.now()))
		return
	}
	aim := int64(0)
	if b.height > 0 && b.interval > 0 && !b.lastBlock.Add(b.interval-min(b.lead, maxLead(b.interval))).Before(b.firstAt) {
		aim = b.height + 1 // sent at the send point for the next block, not after lingering
	}
	b.flushLocked(aim)
}

// flushLocked hands the pending groups to a delivery of their own; aim is the
// height they were sent for at the send point (0: sent for another reason).
// Groups that do not fit the window stay waiting (batchwindow.go).
func (b *Batcher) flushLocked(aim int64) {
	groups := b.pending
	if len(b.waiting) > 0 {
		groups = append(b.waiting, b.pending...)
	}
	b.pending, b.pendingMsgs, b.pendingBytes = nil, 0, 0
	if b.timer != nil {
		b.timer.Stop()
	}
	groups, b.waiting = b.admitLocked(groups)
	// Groups that waited go with the pending ones, in txs within the bounds.
	for len(groups) > 0 {
		n, msgs, size := 0, 0, 0
		for ; n < len(groups); n++ {
			g := groups[n]
			if n > 0 && (msgs+len(g.msgs) > b.cfg.MaxMsgs || size+g.size > b.cfg.MaxTxBytes) {
				break
			}
			msgs, size = msgs+len(g.msgs), size+g.size
		}
		tx := groups[:n:n]
		groups = groups[n:]
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			b.deliverAimed(tx, aim)
		}()
	}
}

func (b *Batcher) spawn(groups []*group, resends int) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.deliver(groups, resends)
	}()
}

// Steps of the learned lead: up by leadUp on a tx that missed the block it was sent
// for, down by leadDown on one that made it. At one miss in six the lead holds still.
const (
	leadUp   = 50 * time.Millisecond
	leadDown = leadUp / 5
)

// maxLead bounds the lead: the send point stays a tenth of the interval after the
// block notice, so what the notice's events make the role owe (reveals, precommits of
// quick tasks) still goes in the same tx. Under load the next proposal can come
// little more than that after the notice: measured on 2 cores at ~300 requests/s,
// half the txs sent half an interval after it missed the block.
func maxLead(interval time.Duration) time.Duration { return interval - interval/10 }

// landed learns from a tx sent at the send point for height aim that landed at
// height got: a later block means the send point was past that block's proposal.
func (b *Batcher) landed(aim, got int64) {
	if aim <= 0 || got <= 0 {
		return
	}
	b.Stats.Aimed.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case got > aim:
		b.Stats.Late.Add(1)
		if b.interval > 0 {
			b.lead = min(b.lead+leadUp, maxLead(b.interval))
		}
	default:
		b.lead = max(b.lead-leadDown, b.cfg.Lead)
	}
	b.Stats.LeadMillis.Store(uint64(b.lead.Milliseconds()))
}
