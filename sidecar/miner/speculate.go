package miner

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	modelstypes "github.com/cortnet/cortd/x/models/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Speculation: the node streams the task submissions its mempool admits
// (chain.Client.FollowPendingSubmits), and the miner computes the ones it will
// likely be assigned while their tx waits for a block. When the assignment comes,
// the result is ready (or being computed) and the precommit leaves at once.
//
// Why: a task is assigned in the EndBlock of the block that includes its submission,
// and its precommits must be in the next block for it to validate at the protocol's
// floor. CometBFT proposes that block timeout_commit after the votes, but under load
// the assignments reached the miners about 0.4 s after the votes, leaving 0.6 s for
// a whole block's inferences: each miner got 40-50 % of its precommits into the next
// block and only 27-30 % of the tasks had all three there. Speculation moves the
// inference to the time the submission waits for its block.
//
// What it never changes: what is precommitted and revealed. A speculative result is
// used only for a task whose every input to the engine (model, embedding size,
// prompt, prompt type, sampling) hashes to the same key (resultKey), so it is the
// result the miner would compute on assignment. A submission whose result depends
// on the block (an EXACT session without a seed: the chain draws it) is not
// speculated.
//
// What it costs: nothing when every speculated task is assigned to the miner (a
// model served by no more nodes than the redundancy). Otherwise the work is wasted,
// so it yields to assigned work (it never holds an engine slot an assigned task
// waits for) and backs off when most of it goes unused (speculationPays).

const (
	// specQueue bounds submissions waiting to be speculated: past it new ones are
	// skipped (an attacker's flood of submissions costs at most this much memory).
	specQueue = 4096
	// specEntries bounds results kept for tasks not assigned yet.
	specEntries = 8192
	// specTTL: a submission older than this is not worth starting (its task was
	// assigned by now, or never will be), and an unused result is dropped.
	specTTL = 30 * time.Second
	// specWindow is how many finished speculations the usefulness check looks at.
	specWindow = 256
	// specProbe: while speculation does not pay, one submission in specProbe is still
	// speculated, so that the miner notices when it pays again.
	specProbe = 16
	// specReads bounds the chain reads speculation makes per second (sessions and
	// models it has not seen): submissions naming sessions that do not exist cost an
	// attacker a fee each, and must not make every miner query its node for each.
	specReads = 20
	// specYield is how long a speculative worker waits before looking again while
	// assigned work waits for an engine slot.
	specYield = 2 * time.Millisecond
)

type specState uint8

const (
	specQueued specState = iota
	specRunning
	specDone
)

// specEntry is one speculated result, by resultKey.
type specEntry struct {
	task  sessionstypes.Task // what the engine runs (no id: not assigned yet)
	state specState
	born  time.Time
	done  chan struct{} // closed when state becomes specDone
	r     Result
	err   error
}

// speculator holds the speculated results and what the miner knows of sessions
// and models to build a task from its submission.
type speculator struct {
	m    *Miner
	jobs chan [32]byte

	mu       sync.Mutex
	entries  map[[32]byte]*specEntry
	sessions map[uint64]specSession
	dims     map[string]uint32
	inserts  int
	used     int // of the last finished speculations (specWindow): taken by an assignment
	wasted   int // dropped unused
	probe    int

	reads *rate.Limiter // specReads
	// readSession and readDim read the chain (tests replace them).
	readSession func(ctx context.Context, id uint64) (specSession, error)
	readDim     func(ctx context.Context, model string) (uint32, error)

	// Counters served in /metrics (cortd_miner_speculation_*).
	Started, Hits, Wasted, Skipped, Dropped atomic.Uint64
}

// specSession is what a task of the session takes from it.
type specSession struct {
	model string
	// exact: an EXACT session, whose seedless tasks get a seed drawn from the block.
	exact     bool
	maxTokens uint32
	known     bool      // false: the read failed; retried after until
	until     time.Time // negative answers expire
}

func newSpeculator(m *Miner) *speculator {
	s := &speculator{m: m, jobs: make(chan [32]byte, specQueue), entries: map[[32]byte]*specEntry{},
		sessions: map[uint64]specSession{}, dims: map[string]uint32{}, reads: rate.NewLimiter(specReads, specReads)}
	s.readSession = func(ctx context.Context, id uint64) (specSession, error) {
		qctx, cancel := m.c.QueryCtx(ctx)
		defer cancel()
		res, err := m.c.Sessions.Session(qctx, &sessionstypes.QuerySessionRequest{SessionId: id})
		if err != nil {
			return specSession{}, err
		}
		return specSession{model: res.Session.ModelId, maxTokens: res.Session.MaxTokens, known: true,
			exact: res.Session.Verification.Effective() == sessionstypes.VERIFICATION_MODE_EXACT}, nil
	}
	s.readDim = func(ctx context.Context, model string) (uint32, error) {
		qctx, cancel := m.c.QueryCtx(ctx)
		defer cancel()
		res, err := m.c.Models.Model(qctx, &modelstypes.QueryModelRequest{Id: model})
		if err != nil {
			return 0, err
		}
		return res.Model.EmbeddingDim, nil
	}
	return s
}

// resultKey hashes every input of the engine run for a task: two tasks with the
// same key get the same result from an honest miner (Miner.infer reads nothing else).
// ok is false for sampling params that do not encode (never speculated on).
func resultKey(t *sessionstypes.Task) (k [32]byte, ok bool) {
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(t.ModelId))
	var dim [4]byte
	binary.BigEndian.PutUint32(dim[:], t.EmbeddingDim)
	field(dim[:])
	field([]byte(t.PromptType))
	field([]byte(t.Prompt))
	s, err := t.Sampling.Marshal()
	if err != nil {
		return k, false
	}
	field(s)
	h.Sum(k[:0])
	return k, true
}

// follow speculates the submissions the node streams until ctx ends, with workers
// workers; a node without the stream ends it quietly.
func (s *speculator) follow(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx)
		}()
	}
	err := s.m.c.FollowPendingSubmits(ctx, func(subs []sessionstypes.MsgSubmitTask, dropped uint64) {
		s.Dropped.Add(dropped)
		for i := range subs {
			s.offer(ctx, &subs[i])
		}
	})
	if ctx.Err() == nil {
		s.m.log.Info("no speculation: the node does not stream pending submissions", "err", err)
	}
	wg.Wait()
}

// offer queues the submission's task for speculation when this miner serves its
// model, its result does not depend on the block, and speculation pays.
func (s *speculator) offer(ctx context.Context, sub *sessionstypes.MsgSubmitTask) {
	if sub.ValidateBasic() != nil {
		s.Skipped.Add(1)
		return
	}
	sess, ok := s.session(ctx, sub.SessionId)
	sampling := sub.SamplingParams()
	if !ok || !slices.Contains(s.m.served, sess.model) || (sess.exact && sampling.Seed == 0) ||
		sampling.Validate(sess.maxTokens) != nil {
		s.Skipped.Add(1)
		return
	}
	dim, ok := s.dim(ctx, sess.model)
	if !ok {
		s.Skipped.Add(1)
		return
	}
	t := sessionstypes.Task{SessionId: sub.SessionId, ModelId: sess.model, EmbeddingDim: dim,
		Prompt: sub.Prompt, PromptType: sub.PromptType, Sampling: sampling}
	k, ok := resultKey(&t)
	if !ok {
		s.Skipped.Add(1)
		return
	}
	now := time.Now()
	s.mu.Lock()
	if _, ok := s.entries[k]; ok || !s.paysLocked() {
		s.mu.Unlock()
		s.Skipped.Add(1)
		return
	}
	s.sweepLocked(now)
	e := &specEntry{task: t, state: specQueued, born: now, done: make(chan struct{})}
	select {
	case s.jobs <- k:
		s.entries[k] = e
	default:
		s.mu.Unlock()
		s.Skipped.Add(1)
		return
	}
	s.mu.Unlock()
}

// paysLocked: speculate unless most recent speculations went unused, and then one
// submission in specProbe.
func (s *speculator) paysLocked() bool {
	if s.used+s.wasted < specWindow/4 || s.used >= s.wasted {
		return true
	}
	s.probe++
	return s.probe%specProbe == 0
}

// finishedLocked records a speculation's outcome in the usefulness window.
func (s *speculator) finishedLocked(used bool) {
	if used {
		s.used++
		s.Hits.Add(1)
	} else {
		s.wasted++
		s.Wasted.Add(1)
	}
	if s.used+s.wasted >= specWindow { // halve: recent outcomes weigh more
		s.used, s.wasted = s.used/2, s.wasted/2
	}
}

// sweepLocked drops finished results older than specTTL, every specEntries/16
// inserts or when full (queued and running entries are their workers' to end).
func (s *speculator) sweepLocked(now time.Time) {
	s.inserts++
	if s.inserts%(specEntries/16) != 0 && len(s.entries) < specEntries {
		return
	}
	for k, e := range s.entries {
		if e.state == specDone && (now.Sub(e.born) > specTTL || len(s.entries) >= specEntries) {
			delete(s.entries, k)
			s.finishedLocked(false)
		}
	}
}

// work runs queued speculations until ctx ends.
func (s *speculator) work(ctx context.Context) {
	for {
		var k [32]byte
		select {
		case <-ctx.Done():
			return
		case k = <-s.jobs:
		}
		s.mu.Lock()
		e := s.entries[k]
		if e == nil || e.state != specQueued { // taken by its assignment before it started
			s.mu.Unlock()
			continue
		}
		if time.Since(e.born) > specTTL {
			delete(s.entries, k)
			s.mu.Unlock()
			s.Skipped.Add(1)
			continue
		}
		e.state = specRunning
		s.mu.Unlock()
		s.Started.Add(1)
		r, err := s.run(ctx, &e.task)
		s.mu.Lock()
		e.r, e.err, e.state = r, err, specDone
		close(e.done)
		if err != nil && s.entries[k] == e { // a failed run is not kept: the assignment runs it again
			delete(s.entries, k)
		}
		s.mu.Unlock()
	}
}

// run is Miner.infer in an engine slot no assigned task is waiting for.
func (s *speculator) run(ctx context.Context, t *sessionstypes.Task) (Result, error) {
	m := s.m
	for {
		if m.waiting.Load() == 0 {
			select {
			case m.sem <- struct{}{}:
				defer func() { <-m.sem }()
				return m.infer(ctx, t)
			default:
			}
		}
		select {
		case <-ctx.Done():
			return Result{}, ctx.Err()
		case <-time.After(specYield):
		}
	}
}

// take returns the speculated result for the task's key: at once when done, after
// its run when running. A queued entry is dropped (the assignment computes it
// itself rather than wait behind other speculations). ok is false when there is
// none or its run failed.
func (s *speculator) take(ctx context.Context, t *sessionstypes.Task) (Result, bool) {
	k, ok := resultKey(t)
	if !ok {
		return Result{}, false
	}
	s.mu.Lock()
	s.dims[t.ModelId] = t.EmbeddingDim // the model's size as the chain copies it now
	e := s.entries[k]
	if e == nil {
		s.mu.Unlock()
		return Result{}, false
	}
	delete(s.entries, k)
	if e.state == specQueued {
		s.mu.Unlock()
		return Result{}, false
	}
	s.finishedLocked(true)
	s.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return Result{}, false
	}
	if e.err != nil {
		return Result{}, false
	}
	return e.r, true
}

// session is what the miner knows of a session, read once (its model, mode and
// max_tokens never change); a failed read is retried after 10 s.
func (s *speculator) session(ctx context.Context, id uint64) (specSession, bool) {
	s.mu.Lock()
	v, ok := s.sessions[id]
	s.mu.Unlock()
	if ok && (v.known || time.Now().Before(v.until)) {
		return v, v.known
	}
	if !s.reads.Allow() {
		return specSession{}, false
	}
	v, err := s.readSession(ctx, id)
	if err != nil {
		v = specSession{until: time.Now().Add(10 * time.Second)}
	}
	s.mu.Lock()
	if len(s.sessions) >= specEntries { // bounded: forget them all, the live ones are read again
		clear(s.sessions)
	}
	s.sessions[id] = v
	s.mu.Unlock()
	return v, v.known
}

// dim is the model's embedding size (copied into each task at submission).
func (s *speculator) dim(ctx context.Context, model string) (uint32, bool) {
	s.mu.Lock()
	d, ok := s.dims[model]
	s.mu.Unlock()
	if ok {
		return d, true
	}
	if !s.reads.Allow() {
		return 0, false
	}
	d, err := s.readDim(ctx, model)
	if err != nil {
		return 0, false
	}
	s.mu.Lock()
	s.dims[model] = d
	s.mu.Unlock()
	return d, true
}
