package auditor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/sidecar/chain"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
)

// Config tunes the role.
type Config struct {
	// PollInterval: how often the open audits are re-read (backstop for events; default 10 s).
	PollInterval time.Duration
	// CheckTimeout bounds one subject check, downloads included (default 10 min).
	CheckTimeout time.Duration
	// RetryDelay: after a check the auditor could not finish (engine or query error),
	// how long before it is tried again (default 30 s).
	RetryDelay time.Duration
	// Concurrency: checks run at once (default 1: checks are CPU-bound on the engine).
	Concurrency int
}

func (c *Config) defaults() {
	if c.PollInterval <= 0 {
		c.PollInterval = 10 * time.Second
	}
	if c.CheckTimeout <= 0 {
		c.CheckTimeout = 10 * time.Minute
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = 30 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
}

// Sender sends ordered txs (chain.Signer).
type Sender interface {
	Address() string
	Send(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, error)
}

// doneTTL is how long a finished job stays marked (longer than a default voting window).
const doneTTL = 3 * time.Hour

type jobKind int

const (
	jobAudit jobKind = iota // we are the auditor: pass or report
	jobVote                 // someone reported fraud: re-check and vote
)

func (k jobKind) String() string {
	if k == jobAudit {
		return "audit"
	}
	return "vote"
}

type job struct {
	id   uint64
	kind jobKind
}

// Auditor is the running role.
type Auditor struct {
	cfg      Config
	c        *chain.Client
	s        Sender
	q        auditstypes.QueryClient
	subjects map[string]Subject
	log      *slog.Logger
	M        Metrics

	mu     sync.Mutex
	queued map[job]bool // queued, running or finished: never queued twice
	jobs   chan job
	ready  atomic.Bool
}

// New builds the role; subjects maps x/audits subject modules to their checks.
func New(cfg Config, c *chain.Client, s Sender, subjects map[string]Subject, log *slog.Logger) *Auditor {
	cfg.defaults()
	return &Auditor{cfg: cfg, c: c, s: s, q: auditstypes.NewQueryClient(c.Conn()), subjects: subjects,
		log: log, queued: map[job]bool{}, jobs: make(chan job, 4096)}
}

// Run works until ctx ends.
func (a *Auditor) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range a.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-a.jobs:
					a.runJob(ctx, j)
				}
			}
		}()
	}
	pollNow := make(chan struct{}, 1)
	kick := func() {
		select {
		case pollNow <- struct{}{}:
		default:
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(a.cfg.PollInterval)
		defer t.Stop()
		for {
			a.poll(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-pollNow:
			}
		}
	}()
	me := a.s.Address()
	err := a.c.Subscribe(ctx, chain.SubscribeConfig{TxEvents: true}, func(b chain.Block) {
		for _, ev := range b.Typed() {
			switch e := ev.(type) {
			case *auditstypes.EventAuditAssigned:
				if e.Auditor == me {
					a.log.Info("audit assigned", "audit", e.AuditId, "subject", e.SubjectModule+"/"+e.SubjectId, "deadline", e.DeadlineHeight)
					a.enqueue(job{e.AuditId, jobAudit})
				}
			case *auditstypes.EventFraudReported:
				if e.Auditor != me {
					a.log.Info("fraud reported; re-checking to vote", "audit", e.AuditId, "subject", e.SubjectModule+"/"+e.SubjectId,
						"check", e.FailedCheck, "voting_end", e.VotingEndHeight)
					a.enqueue(job{e.AuditId, jobVote})
				}
			}
		}
	}, func(reason string) {
		a.log.Debug("event gap; polling open audits", "reason", reason)
		a.ready.Store(true)
		kick()
	})
	wg.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// enqueue adds a job unless it was seen; a full queue drops it (the poll re-finds it).
func (a *Auditor) enqueue(j job) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.queued[j] {
		return
	}
	select {
	case a.jobs <- j:
		a.queued[j] = true
	default:
		a.log.Warn("job queue full; the poll will pick the job up later", "audit", j.id, "kind", j.kind)
	}
}

// forget lets a job be queued again (after an error, for a retry).
func (a *Auditor) forget(j job) {
	a.mu.Lock()
	delete(a.queued, j)
	a.mu.Unlock()
}

// poll queues this validator's pending audits and every audit open for votes.
func (a *Auditor) poll(ctx context.Context) {
	me := a.s.Address()
	err := a.pages(ctx, func(ctx context.Context, p *query.PageRequest) ([]auditstypes.Audit, *query.PageResponse, error) {
		r, err := a.q.AuditsByAuditor(ctx, &auditstypes.QueryAuditsByAuditorRequest{Auditor: me, Pagination: p})
		if err != nil {
			return nil, nil, err
		}
		return r.Audits, r.Pagination, nil
	}, func(au auditstypes.Audit) {
		if au.Status == auditstypes.AUDIT_STATUS_PENDING {
			a.enqueue(job{au.Id, jobAudit})
		}
	})
	if err != nil {
		a.log.Warn("polling assigned audits", "err", err)
	}
	err = a.pages(ctx, func(ctx context.Context, p *query.PageRequest) ([]auditstypes.Audit, *query.PageResponse, error) {
		r, err := a.q.OpenAudits(ctx, &auditstypes.QueryOpenAuditsRequest{Pagination: p})
		if err != nil {
			return nil, nil, err
		}
		return r.Audits, r.Pagination, nil
	}, func(au auditstypes.Audit) {
		if au.Status == auditstypes.AUDIT_STATUS_VOTING && au.Auditor != me {
			a.enqueue(job{au.Id, jobVote})
		}
	})
	if err != nil {
		a.log.Warn("polling open audits", "err", err)
	} else {
		a.ready.Store(true)
	}
}

// pages walks a paginated audits query (at most 100 pages of 100).
func (a *Auditor) pages(ctx context.Context, get func(context.Context, *query.PageRequest) ([]auditstypes.Audit, *query.PageResponse, error), each func(auditstypes.Audit)) error {
	var key []byte
	for range 100 {
		qctx, cancel := a.c.QueryCtx(ctx)
		audits, pr, err := get(qctx, &query.PageRequest{Key: key, Limit: 100})
		cancel()
		if err != nil {
			return err
		}
		for _, au := range audits {
			each(au)
		}
		if pr == nil || len(pr.NextKey) == 0 {
			return nil
		}
		key = pr.NextKey
	}
	return nil
}

// runJob does one audit or vote; it never panics out (a bad subject must not stop the
// role) and schedules a retry when the check could not be finished.
func (a *Auditor) runJob(ctx context.Context, j job) {
	start := time.Now()
	var retry bool
	func() {
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("audit job panicked; the subject is skipped", "audit", j.id, "kind", j.kind, "panic", fmt.Sprint(r))
				a.M.Errors.Add(1)
			}
		}()
		if j.kind == jobAudit {
			retry = a.audit(ctx, j.id)
		} else {
			retry = a.vote(ctx, j.id)
		}
	}()
	a.M.observe(j.kind, time.Since(start))
	switch {
	case ctx.Err() != nil:
	case retry:
		time.AfterFunc(a.cfg.RetryDelay, func() { a.forget(j) })
	default:
		// Done: keep it marked long enough that the poll does not redo it while the
		// audit is still open, then drop the mark so the set stays bounded (a job
		// redone later finds its audit closed and stops at once).
		time.AfterFunc(doneTTL, func() { a.forget(j) })
	}
}

// fetchAudit reads an audit and the chain height.
func (a *Auditor) fetchAudit(ctx context.Context, id uint64) (*auditstypes.Audit, int64, error) {
	qctx, cancel := a.c.QueryCtx(ctx)
	defer cancel()
	r, err := a.q.Audit(qctx, &auditstypes.QueryAuditRequest{Id: id})
	if err != nil {
		return nil, 0, err
	}
	h, err := a.c.Height(ctx)
	if err != nil {
		return nil, 0, err
	}
	return &r.Audit, h, nil
}

// check runs the subject's check under the check timeout.
func (a *Auditor) check(ctx context.Context, au *auditstypes.Audit) (*Finding, error) {
	sub, ok := a.subjects[au.SubjectModule]
	if !ok {
		return nil, fmt.Errorf("no check for subject module %q", au.SubjectModule)
	}
	cctx, cancel := context.WithTimeout(ctx, a.cfg.CheckTimeout)
	defer cancel()
	return sub.Check(cctx, au)
}

// audit handles an audit assigned to us; it returns true when it should be retried.
func (a *Auditor) audit(ctx context.Context, id uint64) bool {
	au, h, err := a.fetchAudit(ctx, id)
	if err != nil {
		a.log.Warn("reading audit", "audit", id, "err", err)
		return true
	}
	log := a.log.With("audit", id, "subject", au.SubjectModule+"/"+au.SubjectId)
	if au.Status != auditstypes.AUDIT_STATUS_PENDING || au.Auditor != a.s.Address() {
		log.Debug("audit no longer ours to do", "status", au.Status)
		return false
	}
	if h > au.DeadlineHeight {
		log.Warn("audit deadline passed before the check could start; it will count as missed", "deadline", au.DeadlineHeight, "height", h)
		a.M.Missed.Add(1)
		return false
	}
	f, err := a.check(ctx, au)
	if err != nil {
		log.Error("cannot judge the subject (neither pass nor fraud sent); will retry", "err", err)
		a.M.Errors.Add(1)
		return true
	}
	var msg sdk.Msg
	maxFigs := a.maxFigures(ctx)
	if !f.Fraud() {
		msg = &auditstypes.MsgAuditPass{Auditor: a.s.Address(), AuditId: id, Figures: fitFigures(f.passFigures(), maxFigs)}
	} else {
		msg = &auditstypes.MsgReportFraud{Auditor: a.s.Address(), AuditId: id, FailedCheck: f.Check, Figures: fitFigures(f.Figures, maxFigs)}
	}
	if _, err := a.s.Send(ctx, msg); err != nil {
		if containsCode(err, auditstypes.ErrDeadlinePassed) {
			log.Warn("audit deadline missed: the result came too late", "deadline", au.DeadlineHeight, "err", err)
			a.M.Missed.Add(1)
			return false
		}
		log.Error("sending the audit result", "err", err)
		a.M.TxFailures.Add(1)
		return true
	}
	if !f.Fraud() {
		log.Info("audit passed", "figures", figuresString(f.passFigures()))
		a.M.Passed.Add(1)
	} else {
		log.Warn("fraud reported", "check", f.Check, "figures", figuresString(f.Figures), "detail", f.Detail)
		a.M.Fraud.Add(1)
	}
	return false
}

// vote re-checks a subject reported by another auditor and votes; true means retry.
func (a *Auditor) vote(ctx context.Context, id uint64) bool {
	au, h, err := a.fetchAudit(ctx, id)
	if err != nil {
		a.log.Warn("reading audit", "audit", id, "err", err)
		return true
	}
	log := a.log.With("audit", id, "subject", au.SubjectModule+"/"+au.SubjectId)
	if au.Status != auditstypes.AUDIT_STATUS_VOTING {
		log.Debug("audit not open for votes", "status", au.Status)
		return false
	}
	if h > au.VotingEndHeight {
		log.Warn("voting window closed before the re-check could start", "voting_end", au.VotingEndHeight, "height", h)
		return false
	}
	f, err := a.check(ctx, au)
	if err != nil {
		log.Error("cannot judge the reported subject (no vote sent); will retry", "err", err)
		a.M.Errors.Add(1)
		return true
	}
	yes := f.Fraud()
	if c, ok := a.subjects[au.SubjectModule].(Confirmer); ok {
		yes = c.Confirms(au.Report, f)
	}
	opt := auditstypes.VOTE_OPTION_NO
	if yes {
		opt = auditstypes.VOTE_OPTION_YES
	}
	if _, err := a.s.Send(ctx, &auditstypes.MsgVoteFraud{Voter: a.s.Address(), AuditId: id, Option: opt}); err != nil {
		switch {
		case containsCode(err, auditstypes.ErrNotBondedValidator):
			log.Info("not a bonded validator: cannot vote", "err", err)
			return false
		case containsCode(err, auditstypes.ErrAlreadyVoted):
			log.Info("already voted (an earlier send landed)")
			return false
		case containsCode(err, auditstypes.ErrVotingClosed), containsCode(err, auditstypes.ErrWrongStatus):
			log.Warn("vote came too late", "err", err)
			return false
		}
		log.Error("sending the vote", "err", err)
		a.M.TxFailures.Add(1)
		return true
	}
	if yes {
		log.Info("voted yes: the fraud is confirmed", "check", f.Check, "figures", figuresString(f.Figures))
		a.M.VotesYes.Add(1)
	} else {
		log.Info("voted no: the report is not confirmed", "reported", au.Report.GetFailedCheck(), "own", findingCheck(f))
		a.M.VotesNo.Add(1)
	}
	return false
}

// Ready reports whether the role has read the chain at least once.
func (a *Auditor) Ready() bool { return a.ready.Load() }

// maxFigures is x/audits' max_figures now (its default when the query fails: a message
// over the limit would be refused, one within the default is accepted unless governance
// lowered it).
func (a *Auditor) maxFigures(ctx context.Context) int {
	qctx, cancel := a.c.QueryCtx(ctx)
	defer cancel()
	r, err := a.q.Params(qctx, &auditstypes.QueryParamsRequest{})
	if err != nil {
		a.log.Warn("reading x/audits params; assuming the default max_figures", "err", err)
		return int(auditstypes.DefaultParams().MaxFigures)
	}
	return int(r.Params.MaxFigures)
}

// fitFigures keeps the first max figures: subjects put what the chain acts on (a session
// report's "node:" figures) first and informative ones (replay scores) after.
func fitFigures(figs []auditstypes.Figure, max int) []auditstypes.Figure {
	if max >= 0 && len(figs) > max {
		return figs[:max]
	}
	return figs
}

// findingCheck is a finding's failed check, or "none".
func findingCheck(f *Finding) string {
	if !f.Fraud() {
		return "none"
	}
	return f.Check
}
