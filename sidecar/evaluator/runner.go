package evaluator

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/sandbox"
	"github.com/cortnet/cortd/x/challenges/types"
)

// RunnerConfig tunes the evaluator role.
type RunnerConfig struct {
	// Poll is the backstop interval of the full scan of EVALUATING challenges
	// (events are the fast path; default 15 s).
	Poll time.Duration
	// MaxAttempts bounds failed preparations or submissions of one challenge
	// before it is given up (default 3).
	MaxAttempts int
	// MarginBlocks: a challenge within this many blocks of its evaluation end is
	// not started (its scores could not be included in time; default 2). Scores
	// are sent by this many blocks before the end.
	MarginBlocks int64
	// Parallel patches run at once (default 1; set it to the cores given to the
	// evaluator).
	Parallel int
	// BlockTime is assumed until the runner has seen blocks pass (default 1 s:
	// assuming blocks faster than they are only ends evaluation early).
	BlockTime time.Duration
	// QuickWall bounds each patch in the first pass (default: 3× the baseline's
	// duration, at least 20 s, at most the sandbox's wall limit). Patches that
	// hit it are re-run with the full limit only while the budget lasts.
	QuickWall time.Duration
}

// Runner is the `cortd-sidecar evaluator` role: it watches challenges whose
// tests are revealed, evaluates every revealed patch and sends one
// MsgSubmitScores per challenge. It never exits on a bad challenge: every error
// is logged, counted and retried or given up.
type Runner struct {
	ev  *Evaluator
	ch  Chain
	cfg RunnerConfig
	log *slog.Logger
	M   *Metrics

	mu       sync.Mutex
	state    map[uint64]*challengeState
	lastLoop time.Time
	wake     chan uint64
	clock    blockClock
}

type challengeState struct {
	done     bool
	attempts int
	scores   []types.MinerScore // kept so a failed send is retried without re-evaluating
	endAt    int64
}

// NewRunner makes the role.
func NewRunner(ev *Evaluator, ch Chain, cfg RunnerConfig, log *slog.Logger) *Runner {
	if cfg.Poll <= 0 {
		cfg.Poll = 15 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.MarginBlocks <= 0 {
		cfg.MarginBlocks = 2
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 1
	}
	if cfg.BlockTime <= 0 {
		cfg.BlockTime = time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	return &Runner{ev: ev, ch: ch, cfg: cfg, log: log, M: NewMetrics(),
		state: map[uint64]*challengeState{}, wake: make(chan uint64, 256), lastLoop: time.Now()}
}

// Run works until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.ch.Watch(ctx, r.poke, func() { r.poke(0) })
	}()
	defer wg.Wait()
	tick := time.NewTicker(r.cfg.Poll)
	defer tick.Stop()
	r.poke(0)
	for {
		r.touch()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			r.poke(0)
		case id := <-r.wake:
			if id == 0 {
				r.pollAll(ctx)
			} else {
				r.handleID(ctx, id)
			}
		}
	}
}

func (r *Runner) poke(id uint64) {
	select {
	case r.wake <- id:
	default: // full: the next poll finds it
	}
}

func (r *Runner) touch() {
	r.mu.Lock()
	r.lastLoop = time.Now()
	r.mu.Unlock()
}

// health fails when the work loop has not come back for far longer than an
// evaluation can take (a wedged loop).
func (r *Runner) health() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if since := time.Since(r.lastLoop); since > r.cfg.Poll+time.Hour {
		return fmt.Errorf("work loop idle for %s", since.Round(time.Second))
	}
	return nil
}

func (r *Runner) entry(id uint64) *challengeState {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.state[id]
	if s == nil {
		s = &challengeState{}
		r.state[id] = s
	}
	return s
}

// pollAll scans EVALUATING challenges (lowest id first) and forgets finished ones.
func (r *Runner) pollAll(ctx context.Context) {
	list, err := r.ch.Evaluating(ctx)
	if err != nil {
		r.log.Warn("listing evaluating challenges", "err", err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Id < list[j].Id })
	open := map[uint64]bool{}
	for _, c := range list {
		open[c.Id] = true
		if ctx.Err() != nil {
			return
		}
		r.handle(ctx, c)
	}
	if err == nil {
		r.mu.Lock()
		for id, s := range r.state {
			if !open[id] && s.done {
				delete(r.state, id) // final on chain: never comes back
			}
		}
		r.mu.Unlock()
	}
}

func (r *Runner) handleID(ctx context.Context, id uint64) {
	if r.entry(id).done {
		return
	}
	c, err := r.ch.Challenge(ctx, id)
	if err != nil {
		r.log.Warn("reading challenge", "challenge", id, "err", err)
		return
	}
	r.handle(ctx, c)
}

// handle evaluates one challenge and submits its scores, at most once.
func (r *Runner) handle(ctx context.Context, c types.Challenge) {
	st := r.entry(c.Id)
	if st.done || c.Status != types.CHALLENGE_STATUS_EVALUATING {
		return
	}
	log := r.log.With("challenge", c.Id)
	defer func() {
		// Nothing a challenge carries should panic us; if it does, give it up
		// rather than take the role down.
		if p := recover(); p != nil {
			log.Error("evaluation panicked; giving the challenge up", "panic", p)
			st.done = true
			r.M.Skipped.WithLabelValues("gave_up").Inc()
		}
	}()
	if h, err := r.ch.Height(ctx); err == nil && h >= c.EvaluationEndHeight-r.cfg.MarginBlocks {
		log.Warn("evaluation window (nearly) over; skipping", "height", h, "evaluation_end", c.EvaluationEndHeight)
		st.done = true
		r.M.Skipped.WithLabelValues("too_late").Inc()
		return
	}
	if st.scores == nil {
		if ok, err := r.ch.Submitted(ctx, c.Id, r.ch.Address()); err != nil {
			log.Warn("reading submissions", "err", err)
			return
		} else if ok {
			log.Info("already scored by this evaluator")
			st.done = true
			r.M.Skipped.WithLabelValues("already_submitted").Inc()
			return
		}
		scores, err := r.evaluate(ctx, c, log)
		if err != nil {
			r.fail(st, log, "evaluation", err)
			r.M.PrepareFails.Inc()
			return
		}
		if len(scores) == 0 {
			st.done = true
			r.M.Skipped.WithLabelValues("no_reveals").Inc()
			return
		}
		st.scores = scores
	}
	msg := &types.MsgSubmitScores{Evaluator: r.ch.Address(), ChallengeId: c.Id, Scores: st.scores}
	if err := r.ch.SubmitScores(ctx, msg); err != nil {
		r.M.SubmitFails.Inc()
		if chain.Is(err, types.ErrAlreadyScored) || chain.Is(err, types.ErrDeadlinePassed) || chain.Is(err, types.ErrWrongStatus) {
			log.Warn("scores not accepted; giving the challenge up", "err", err)
			st.done = true
			return
		}
		r.fail(st, log, "submitting scores", err)
		return
	}
	st.done = true
	r.M.Challenges.Inc()
	log.Info("scores submitted", "scores", fmt.Sprint(st.scores))
}

func (r *Runner) fail(st *challengeState, log *slog.Logger, what string, err error) {
	st.attempts++
	if st.attempts >= r.cfg.MaxAttempts {
		st.done = true
		r.M.Skipped.WithLabelValues("gave_up").Inc()
		log.Error(what+" failed; giving the challenge up", "err", err, "attempts", st.attempts)
		return
	}
	log.Warn(what+" failed; will retry", "err", err, "attempts", st.attempts)
}

// evaluate scores every revealed answer within the challenge's evaluation
// window and returns them in node id order (as the chain lists them). A nil,
// nil result means nothing was revealed.
func (r *Runner) evaluate(ctx context.Context, c types.Challenge, log *slog.Logger) ([]types.MinerScore, error) {
	deadline, err := r.deadline(ctx, c)
	if err != nil {
		return nil, err
	}
	answers, err := r.ch.Answers(ctx, c.Id)
	if err != nil {
		return nil, err
	}
	var revealed []types.Answer
	for _, a := range answers {
		if a.Revealed {
			revealed = append(revealed, a)
		}
	}
	if len(revealed) == 0 {
		return nil, nil
	}
	if c.TaskType == types.TASK_TYPE_CONTEXT_SELECTION {
		return r.evaluateContext(ctx, c, revealed, log)
	}
	p, err := r.ev.Prepare(ctx, ChallengeFromChain(c))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	outcomes, err := r.scoreAll(ctx, p, revealed, deadline, log)
	if err != nil {
		return nil, err
	}
	scores := make([]types.MinerScore, 0, len(revealed))
	for i, a := range revealed {
		scores = append(scores, types.MinerScore{NodeId: a.NodeId, ScoreBps: outcomes[i].ScoreBps})
	}
	return scores, nil
}

// evaluateContext scores the revealed file lists of a context-selection challenge
// against its answer key (no sandbox: F1 in integers, see context.go).
func (r *Runner) evaluateContext(ctx context.Context, c types.Challenge, revealed []types.Answer, log *slog.Logger) ([]types.MinerScore, error) {
	key, err := r.ev.LoadContextKey(ctx, ChallengeFromChain(c))
	if err != nil {
		return nil, err
	}
	scores := make([]types.MinerScore, 0, len(revealed))
	for _, a := range revealed {
		o := ScoreContextAnswer(key, a.Patch)
		r.M.observe(o)
		log.Info("file list evaluated", "node", a.NodeId, "score_bps", o.ScoreBps, "hits", o.Passed, "key_files", o.Run,
			"reason", o.Reason)
		scores = append(scores, types.MinerScore{NodeId: a.NodeId, ScoreBps: o.ScoreBps})
	}
	return scores, nil
}

// ReasonOutOfTime is the outcome of a patch whose evaluation did not fit the
// challenge's evaluation window (it scores 0: the patches that fit are the
// cheap ones, and an honest fix of a small repository is cheap).
const ReasonOutOfTime = "evaluation budget exhausted"

// deadline is when scoring must stop so that the scores are included before the
// evaluation end (less the margin and one block to include the tx).
func (r *Runner) deadline(ctx context.Context, c types.Challenge) (time.Time, error) {
	h, err := r.ch.Height(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now := time.Now()
	bt := r.clock.observe(h, now, r.cfg.BlockTime)
	left := c.EvaluationEndHeight - h - r.cfg.MarginBlocks - 1
	if left < 1 {
		left = 1
	}
	return now.Add(time.Duration(left) * bt), nil
}

// scoreAll scores the patches, Parallel at a time, cheapest first, within the
// deadline: a first pass bounds each run by the quick wall (an honest patch of
// a challenge takes about what the baseline took; a patch that sleeps or loops
// costs at most that), then the patches that hit it get the full wall limit
// while time remains. Patches not scored by the deadline score 0
// (ReasonOutOfTime). An error means our side failed (sandbox, shutdown): the
// challenge is retried rather than its miners scored 0.
func (r *Runner) scoreAll(ctx context.Context, p *Prepared, revealed []types.Answer, deadline time.Time, log *slog.Logger) ([]Outcome, error) {
	bctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	full := p.e.cfg.Sandbox.Limits.Resolved().Wall
	quick := r.cfg.QuickWall
	if quick <= 0 {
		quick = max(3*p.BaselineDuration, 20*time.Second)
	}
	// Fair share: every patch gets its first run within the budget, whatever
	// the others do (sixteen patches that sleep cannot starve two honest ones).
	if share := time.Until(deadline) * time.Duration(r.cfg.Parallel) / time.Duration(len(revealed)); share < quick {
		quick = max(share, time.Second)
	}
	quick = min(quick, full)

	order := make([]int, len(revealed))
	for i := range order {
		order[i] = i
	}
	// Cheapest first: smaller patches first (static refusals cost nothing), then
	// node id for a stable order.
	sort.SliceStable(order, func(a, b int) bool {
		pa, pb := revealed[order[a]].Patch, revealed[order[b]].Patch
		if len(pa) != len(pb) {
			return len(pa) < len(pb)
		}
		return revealed[order[a]].NodeId < revealed[order[b]].NodeId
	})
	out := make([]Outcome, len(revealed))
	for i := range out {
		out[i] = Outcome{Reason: ReasonOutOfTime}
	}
	run := func(idx []int, wall time.Duration) error {
		var mu sync.Mutex
		var firstErr error
		sem := make(chan struct{}, r.cfg.Parallel)
		var wg sync.WaitGroup
		for _, i := range idx {
			if bctx.Err() != nil {
				break
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				o := p.ScoreWithin(bctx, revealed[i].Patch, wall)
				switch {
				case ctx.Err() != nil:
					return // our shutdown: reported below
				case bctx.Err() != nil && o.Limit == sandbox.LimitWall:
					o = Outcome{Reason: ReasonOutOfTime, Duration: o.Duration}
				case strings.HasPrefix(o.Reason, "sandbox:"):
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("node %s: %s", revealed[i].NodeId, o.Reason)
					}
					mu.Unlock()
					return
				}
				mu.Lock()
				out[i] = o
				mu.Unlock()
			}()
		}
		wg.Wait()
		if ctx.Err() != nil {
			return ctx.Err() // the run was cut by our shutdown, not by the patch
		}
		return firstErr
	}
	if err := run(order, quick); err != nil {
		return nil, err
	}
	var again []int
	if quick < full {
		for _, i := range order {
			if out[i].Limit == sandbox.LimitWall {
				again = append(again, i)
			}
		}
	}
	if len(again) > 0 {
		log.Info("re-running patches that hit the quick limit with the full one", "patches", len(again),
			"quick", quick, "full", full, "left", time.Until(deadline).Round(time.Second))
		if err := run(again, full); err != nil {
			return nil, err
		}
	}
	for i, a := range revealed {
		o := out[i]
		r.M.observe(o)
		log.Info("patch evaluated", "node", a.NodeId, "score_bps", o.ScoreBps, "passed", o.Passed, "tests", o.Run,
			"reason", o.Reason, "limit", string(o.Limit), "seconds", o.Duration.Seconds())
	}
	return out, nil
}

// blockClock estimates the block time from the heights the runner has seen.
type blockClock struct {
	mu        sync.Mutex
	t0        time.Time
	h0, hLast int64
	tLast     time.Time
}

// observe records a height seen at now and returns the estimated block time:
// the mean over everything seen once at least 3 blocks passed, else def.
func (b *blockClock) observe(h int64, now time.Time, def time.Duration) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.t0.IsZero() || h < b.h0 {
		b.t0, b.h0 = now, h
	}
	b.hLast, b.tLast = h, now
	if n := b.hLast - b.h0; n >= 3 {
		return b.tLast.Sub(b.t0) / time.Duration(n)
	}
	return def
}

// ChallengeFromChain takes what the evaluator needs from a chain challenge.
func ChallengeFromChain(c types.Challenge) Challenge {
	return Challenge{
		ID:          c.Id,
		Snapshot:    Artifact{URL: c.Snapshot.Url, SHA256: c.Snapshot.Sha256, Size: c.Snapshot.SizeBytes},
		Tests:       Artifact{URL: c.TestsUrl, SHA256: c.TestsSha256, Size: c.TestsSizeBytes},
		TestCommand: c.TestCommand,
	}
}
