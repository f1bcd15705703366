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
	// not started (its scores could not be included in time; default 2).
	MarginBlocks int64
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

// evaluate scores every revealed answer (in node id order, as the chain lists
// them). A nil, nil result means nothing was revealed.
func (r *Runner) evaluate(ctx context.Context, c types.Challenge, log *slog.Logger) ([]types.MinerScore, error) {
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
	p, err := r.ev.Prepare(ctx, ChallengeFromChain(c))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	scores := make([]types.MinerScore, 0, len(revealed))
	for _, a := range revealed {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		o := p.Score(ctx, a.Patch)
		if ctx.Err() != nil {
			return nil, ctx.Err() // the run was cut by our shutdown, not by the patch
		}
		if strings.HasPrefix(o.Reason, "sandbox:") {
			// Our side failed, not the patch: retry the challenge rather than
			// score the miner 0.
			return nil, fmt.Errorf("node %s: %s", a.NodeId, o.Reason)
		}
		r.M.observe(o)
		log.Info("patch evaluated", "node", a.NodeId, "score_bps", o.ScoreBps, "passed", o.Passed, "run", o.Run,
			"reason", o.Reason, "limit", string(o.Limit), "seconds", o.Duration.Seconds())
		scores = append(scores, types.MinerScore{NodeId: a.NodeId, ScoreBps: o.ScoreBps})
	}
	return scores, nil
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
