package miner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/engine"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
	"github.com/cosmos/gogoproto/proto"
)

// Config is what the operator chooses.
type Config struct {
	NodeID string
	PoolID uint32
	// Stake for a registration, e.g. "6000000000ucor"; empty: the pool's minimum.
	Stake    string
	Endpoint string // http(s) URL of this miner's availability endpoint
	Spec     nodestypes.NodeSpec
	// MemoryIndexMiB is the memory offered for models; 0: RAM + VRAM of the spec.
	MemoryIndexMiB uint64
	// Models served; empty: every model the engine knows that is active on chain.
	Models []string
	// StateDir holds results between precommit and commit (survives restarts).
	StateDir     string
	PollInterval time.Duration // backstop poll of assignments (default 5 s; see backstopDue)
	Concurrency  int           // tasks computed at once (default 2)
	// EngineTimeout bounds one completion + embedding (default 2 min).
	EngineTimeout time.Duration
	// Faulty commits garbage instead of the engine's output: a test flag showing
	// that validation rejects it.
	Faulty bool
	// FaultyEmbedding commits the honest text with a wrong embedding for it
	// (WrongEmbedding): a test flag showing that audits, which re-embed committed
	// texts, catch what redundancy validation lets through.
	FaultyEmbedding bool
	// SkipRegister runs against an existing node without registering or updating it
	// (a node key that is not the operator's).
	SkipRegister bool
	// Speculate computes the tasks of submissions the node's mempool admitted before
	// the chain assigns them (speculate.go); never with Faulty or FaultyEmbedding.
	Speculate bool
	// Batch bounds the txs that carry what the node owes (precommits, commits,
	// heartbeats): one multi-message tx per block by default; Batch.MaxMsgs = 1 sends
	// one tx per message, as before batching.
	Batch chain.BatcherConfig
}

func (c *Config) defaults() error {
	if c.NodeID == "" {
		return errors.New("miner: node id required")
	}
	if c.StateDir == "" {
		return errors.New("miner: state dir required")
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 2
	}
	if c.EngineTimeout <= 0 {
		c.EngineTimeout = 2 * time.Minute
	}
	return nil
}

// Miner runs one node.
type Miner struct {
	cfg   Config
	c     *chain.Client
	s     *chain.Signer
	addr  string         // the signer's address: the sender of every message
	batch *chain.Batcher // every precommit, commit and heartbeat goes through it
	e     engine.Engine
	store *Store
	log   *slog.Logger
	M     Metrics

	served      []string
	memByModel  map[string]uint64
	memoryIndex uint64
	hbInterval  int64

	mu    sync.Mutex
	busy  map[uint64]sessionstypes.TaskStatus // tasks a worker is on, with the phase it acts in
	again map[uint64]*news                    // news of a task that came while busy: acted on when the worker ends
	// done is the last phase whose message this node has on chain, per task: a
	// later report of the task in that phase is stale (a full poll read before the
	// message's block, handled after its worker ended) and acting on it would send
	// the message again. The chain refuses the repeat, and under load a poll's
	// worth of repeats split a batch once per message. Forgotten with the task.
	done   map[uint64]sessionstypes.TaskStatus
	hbSlot int64
	// roundEvery is how often a block's precommits send what is queued while they
	// are computed (roundFlushEvery; 0 in tests that count txs: at the end only).
	roundEvery time.Duration
	hbBusy     bool
	// sem bounds engine runs (Concurrency); workers wait for inclusion of their
	// txs without holding it, so slow blocks never starve the engine.
	sem chan struct{}
	// waiting counts assigned tasks waiting for an engine slot: speculation leaves
	// the slots to them.
	waiting atomic.Int64
	spec    *speculator // nil: no speculation
	workers sync.WaitGroup
	wake    chan uint64
	blocks  chan blockWork // each block's tasks for this node, read in one query
	// readTasks reads tasks by id (chain.Client.Tasks; tests replace it).
	readTasks func(ctx context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error)
	started   time.Time
	lastBlock atomic.Int64 // unix ns of the last block event
	// failed: a read or a step failed since the last full poll, which retries it
	// at the next tick.
	failed atomic.Bool
}

// The x/sessions events the miner acts on, by their proto names.
var (
	eventTaskAssigned = proto.MessageName(&sessionstypes.EventTaskAssigned{})
	eventCommitPhase  = proto.MessageName(&sessionstypes.EventCommitPhase{})
	eventTaskEnded    = proto.MessageName(&sessionstypes.EventTaskEnded{})
)

// blockWork is what one block's events ask of the node: tasks to read and act on
// (assigned to it, or in their commit phase), and tasks that ended (forget them).
type blockWork struct {
	height      int64
	read, ended []uint64
	// assigned: tasks newly assigned to this node, as their EventTaskAssigned describes
	// them (prompt, sampling, model: what computing needs), so they are not read either.
	assigned []sessionstypes.Task
	// reveal: tasks whose commit phase the block announced with this node among those
	// expected to reveal, and whose result the node holds: the event says all a
	// commit needs, so they are not read (a read of every task in its commit phase
	// was a third of the node's task queries).
	reveal []uint64
}

// New checks the config and opens the result store.
func New(cfg Config, c *chain.Client, s *chain.Signer, e engine.Engine, log *slog.Logger) (*Miner, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	st, err := OpenStore(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	m := &Miner{
		cfg: cfg, c: c, s: s, addr: s.Address(), batch: s.NewBatcher(cfg.Batch), e: e, store: st, log: log.With("node", cfg.NodeID),
		busy: map[uint64]sessionstypes.TaskStatus{}, again: map[uint64]*news{}, done: map[uint64]sessionstypes.TaskStatus{}, hbSlot: -1, roundEvery: roundFlushEvery, sem: make(chan struct{}, cfg.Concurrency),
		wake: make(chan uint64, 1024), blocks: make(chan blockWork, 256), readTasks: c.Tasks, started: time.Now(),
	}
	if cfg.Speculate && !cfg.Faulty && !cfg.FaultyEmbedding {
		m.spec = newSpeculator(m)
	}
	return m, nil
}

// Run registers or updates the node, then works until ctx ends.
func (m *Miner) Run(ctx context.Context) error {
	if err := m.retry(ctx, "preparing the node", m.prepare); err != nil {
		return err
	}
	m.warmUp(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Block events only: assignments, commit phases, deadlines and validation are
		// all announced in EndBlock, so the miner needs no tx's events.
		_ = m.c.Subscribe(ctx, chain.SubscribeConfig{}, m.onBlock, func(reason string) {
			m.log.Debug("catching up from queries", "reason", reason)
			m.poke(0)
		})
	}()
	if m.spec != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.spec.follow(ctx, m.cfg.Concurrency)
		}()
	}
	tick := time.NewTicker(m.cfg.PollInterval)
	defer tick.Stop()
	ticks := 0
	m.poke(0)
	for {
		select {
		case <-ctx.Done():
			m.log.Info("stopping; waiting for tasks in progress")
			wg.Wait()
			m.workers.Wait()
			m.batch.Close()
			if err := m.store.Close(); err != nil {
				m.log.Error("closing the result store", "err", err)
			}
			return ctx.Err()
		case <-tick.C:
			ticks++
			if m.backstopDue(ticks, time.Now()) {
				m.poke(0)
			}
			if h, err := m.c.Height(ctx); err == nil {
				m.maybeHeartbeat(ctx, h)
			}
		case id := <-m.wake:
			if id == 0 {
				m.pollAll(ctx)
			} else {
				m.pollTasks(ctx, []uint64{id})
			}
		case w := <-m.blocks:
			m.onBlockWork(ctx, w)
		}
	}
}

// backstopEvery is how many ticks apart the full poll runs while block events
// arrive with no gap and nothing failed (30 s at the default 5 s tick).
const backstopEvery = 6

// backstopDue says whether tick number ticks runs the full poll, the backstop for
// what the events did not bring: at every tick while block events are not
// arriving, at the next after a read or a step failed, and every backstopEvery-th
// otherwise. A gap in the events polls at once (the subscription's catch-up). A
// full poll reads every live assignment, hundreds of tasks under load: at every
// 2nd tick of 3 s the three miners' polls were 5 % of a loaded node's CPU.
func (m *Miner) backstopDue(ticks int, now time.Time) bool {
	quiet := now.Sub(time.Unix(0, m.lastBlock.Load())) > m.cfg.PollInterval
	failed := m.failed.Swap(false)
	return quiet || failed || ticks%backstopEvery == 0
}

func (m *Miner) poke(task uint64) {
	select {
	case m.wake <- task:
	default: // full: a full poll is already due
	}
}

// retry runs f until it succeeds or ctx ends, with a capped backoff: a miner
// started before its chain waits for it.
func (m *Miner) retry(ctx context.Context, what string, f func(context.Context) error) error {
	backoff := time.Second
	for {
		err := f(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var fatal *fatalError
		if errors.As(err, &fatal) {
			return fmt.Errorf("%s: %w", what, fatal.err)
		}
		m.log.Warn(what+" failed; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// fatalError is a configuration problem retrying cannot fix.
type fatalError struct{ err error }

func (f *fatalError) Error() string { return f.err.Error() }

// warmUp loads the served models (one tiny embedding each) so the first heartbeat
// reports them loaded: the chain draws warm nodes first. Failures only cost the
// preference; the first task loads the model anyway.
func (m *Miner) warmUp(ctx context.Context) {
	for _, id := range m.served {
		wctx, cancel := context.WithTimeout(ctx, m.cfg.EngineTimeout)
		_, _, err := m.e.Embed(wctx, id, []string{"warm up"})
		cancel()
		if err != nil {
			m.log.Warn("warming up a model failed; it loads with its first task", "model", id, "err", err)
		}
	}
}

// onBlock reacts to this node's events at once; the poll catches anything missed.
// A block's tasks for this node go to the main loop together, which reads them in
// one query (hundreds of tasks a block cost one read, not one each).
func (m *Miner) onBlock(b chain.Block) {
	if !b.FromTx {
		m.lastBlock.Store(time.Now().UnixNano())
		// The batcher learns the block interval and sends what the node owes just
		// before the next block is expected.
		m.batch.OnBlock(b.Height)
		go m.maybeHeartbeat(context.Background(), b.Height)
	}
	// Events are read raw (type, task_id, node_ids): a block carries every task's
	// assignment and end, most of them other nodes', and decoding each typed event
	// was a third of the miner's CPU under load.
	w := blockWork{height: b.Height}
	for _, e := range b.Events {
		switch e.Type {
		case eventTaskAssigned, eventCommitPhase:
			id, ok := chain.AttrUint(e, "task_id")
			if !ok || !contains(chain.AttrStrings(e, "node_ids"), m.cfg.NodeID) {
				continue
			}
			m.log.Debug("task to act on", "event", e.Type, "task", id, "height", b.Height)
			switch {
			case e.Type == eventCommitPhase && m.store.Has(id):
				w.reveal = append(w.reveal, id)
			case e.Type == eventTaskAssigned:
				if t, ok := m.assignedTask(e); ok {
					w.assigned = append(w.assigned, t)
				} else {
					w.read = append(w.read, id)
				}
			default:
				w.read = append(w.read, id)
			}
		case eventTaskEnded:
			id, ok := chain.AttrUint(e, "task_id")
			if ok && m.store.Has(id) {
				m.log.Debug("task ended", "task", id, "status", chain.Attr(e, "status"))
				w.ended = append(w.ended, id)
			}
		}
	}
	if len(w.read) == 0 && len(w.ended) == 0 && len(w.reveal) == 0 && len(w.assigned) == 0 {
		return
	}
	select {
	case m.blocks <- w:
	default: // the loop is far behind: a full poll reads everything live
		m.poke(0)
	}
}

// assignedTask is the task an EventTaskAssigned naming this node describes, in its
// precommit phase with this node assigned; ok=false when the event does not decode
// (the task is then read).
func (m *Miner) assignedTask(e abci.Event) (sessionstypes.Task, bool) {
	ev := &sessionstypes.EventTaskAssigned{}
	if err := ev.FromABCIEvent(e); err != nil {
		m.log.Debug("undecodable assignment event; reading the task", "err", err)
		return sessionstypes.Task{}, false
	}
	if ev.TaskId == 0 {
		return sessionstypes.Task{}, false
	}
	return sessionstypes.Task{
		Id: ev.TaskId, SessionId: ev.SessionId, ModelId: ev.ModelId, Prompt: ev.Prompt,
		PromptType: ev.PromptType, Sampling: ev.Sampling, EmbeddingDim: ev.EmbeddingDim,
		Verification: ev.Verification, Status: sessionstypes.TASK_STATUS_PRECOMMIT,
		Deadline:    ev.PrecommitDeadline,
		Assignments: []sessionstypes.Assignment{{NodeId: m.cfg.NodeID, Status: sessionstypes.ASSIGNMENT_STATUS_ASSIGNED}},
	}, true
}

// onBlockWork forgets the tasks that ended and reads and dispatches the others.
func (m *Miner) onBlockWork(ctx context.Context, w blockWork) {
	for _, id := range w.ended {
		m.forget(id)
	}
	n := len(w.read) + len(w.reveal) + len(w.assigned)
	if n > 0 {
		m.log.Info("tasks to act on", "height", w.height, "tasks", n, "read", len(w.read))
	}
	// The block's messages go as soon as the last of them is queued (round.go), the
	// reveals apart from the precommits: a reveal is a read of the stored result, a
	// precommit an inference, and reveals that waited for the block's inferences
	// missed the next block about half the time under load. The line per round
	// replaces one per task and step at Info (--log-level debug has them): at a few
	// hundred tasks a second those were most of an operator's log and 3 % of the
	// miner's CPU.
	start := time.Now()
	sent := func(what string, n int) func() {
		return func() {
			m.log.Info("block's "+what+" sent", "height", w.height, "tasks", n, "took", time.Since(start).Round(time.Millisecond))
			m.batch.Flush()
		}
	}
	reveals := newRound(sent("reveals", len(w.reveal)), 0)
	for _, id := range w.reveal {
		// What the commit phase's event says, as the task the worker acts on.
		m.dispatchIn(ctx, &sessionstypes.Task{Id: id, Status: sessionstypes.TASK_STATUS_COMMIT,
			Assignments: []sessionstypes.Assignment{{NodeId: m.cfg.NodeID, Status: sessionstypes.ASSIGNMENT_STATUS_PRECOMMITTED}}}, reveals)
	}
	reveals.done()
	work := newRound(sent("work", len(w.assigned)+len(w.read)), m.roundEvery)
	work.partial = m.batch.Flush
	defer work.done()
	for i := range w.assigned {
		m.dispatchIn(ctx, &w.assigned[i], work)
	}
	if len(w.read) > 0 {
		m.pollTasksIn(ctx, w.read, work)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
