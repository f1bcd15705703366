package evaluator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/x/challenges/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// The chain invites miners among opted-in, heartbeating nodes, but it cannot call a
// miner: a node whose process heartbeats while its endpoint is unreachable would keep
// being invited and never answer. The evaluator observes it: the Prober GETs
// <endpoint>/availability of every node invited to a challenge in COMMIT that has not
// committed yet, and sends MsgReportUnavailable for one that does not answer
// (x/challenges skips a node reported by enough validators for a while).

// ProbeMaxBytes bounds what a probe reads of an /availability answer.
const ProbeMaxBytes = 64 << 10

// noHash is a sha256 no answer is expected to have: fetch.FetchUpTo verifies a hash,
// and a probe only needs the answer to arrive (ErrChecksum: it did).
const noHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Probe GETs <endpoint>/availability through sidecar/fetch (its address rules: public
// addresses only, checked at dial time and on every redirect, unless o.AllowLocal; a
// body of at most ProbeMaxBytes is read) within timeout. It returns nil when the node
// answered 200 (the body is not interpreted: a busy node is available), else why not.
// The endpoint is written on chain by the node's operator: a URL the rules refuse is a
// failed probe.
func Probe(ctx context.Context, endpoint string, timeout time.Duration, o fetch.Options) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: endpoint %q is not an http(s) URL", fetch.ErrUnavailable, endpoint)
	}
	u = u.JoinPath("availability")
	u.RawQuery, u.Fragment = "", ""
	o.Timeout = timeout
	_, err = fetch.FetchUpTo(ctx, u.String(), ProbeMaxBytes, noHash, o)
	switch {
	case err == nil, errors.Is(err, fetch.ErrChecksum), errors.Is(err, fetch.ErrTooLarge):
		return nil // an answer arrived (its bytes do not matter)
	default:
		return err
	}
}

// ProberChain is what the prober needs of the chain (GRPCChain in production).
type ProberChain interface {
	// Committing lists the challenges in COMMIT.
	Committing(ctx context.Context) ([]types.Challenge, error)
	Answers(ctx context.Context, id uint64) ([]types.Answer, error)
	// NodeEndpoint is a node's endpoint as registered in x/nodes.
	NodeEndpoint(ctx context.Context, nodeID string) (string, error)
	ReportUnavailable(ctx context.Context, msg *types.MsgReportUnavailable) error
	Address() string
}

// ProberConfig tunes the prober.
type ProberConfig struct {
	Poll     time.Duration // scan of COMMIT challenges (default 5 s)
	Timeout  time.Duration // one probe (default 5 s)
	Attempts int           // probes before a node counts as unavailable (default 3)
	Retry    time.Duration // between attempts (default 2 s)
	Parallel int           // nodes probed at once (default 4)
	Fetch    fetch.Options // AllowLocal for local networks only
}

// Prober probes the invited miners of open challenges and reports those that do not
// answer, once per (challenge, node).
type Prober struct {
	ch  ProberChain
	cfg ProberConfig
	log *slog.Logger

	mu   sync.Mutex
	done map[probeKey]bool
	// Probes counts probes by outcome (available, unavailable); Reports the reports sent.
	Probes  *prometheus.CounterVec
	Reports prometheus.Counter
}

type probeKey struct {
	challenge uint64
	node      string
}

// NewProber makes the prober; register its metrics with Register.
func NewProber(ch ProberChain, cfg ProberConfig, log *slog.Logger) *Prober {
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 2 * time.Second
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 4
	}
	if log == nil {
		log = slog.Default()
	}
	return &Prober{ch: ch, cfg: cfg, log: log.With("role", "availability-prober"), done: map[probeKey]bool{},
		Probes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cortd_evaluator_availability_probes_total",
			Help: "Availability probes of invited miners, by outcome: available, unavailable (after every attempt)."}, []string{"outcome"}),
		Reports: prometheus.NewCounter(prometheus.CounterOpts{Name: "cortd_evaluator_unavailable_reports_total",
			Help: "MsgReportUnavailable sent."}),
	}
}

// Register adds the prober's metrics to the runner's registry.
func (p *Prober) Register(m *Metrics) { m.reg.MustRegister(p.Probes, p.Reports) }

// Run scans every Poll until ctx ends.
func (p *Prober) Run(ctx context.Context) error {
	t := time.NewTicker(p.cfg.Poll)
	defer t.Stop()
	for {
		if err := p.Pass(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("availability pass failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Pass probes, once each, the invited nodes without a commitment of every challenge in
// COMMIT, Parallel at a time, and reports those that fail every attempt.
func (p *Prober) Pass(ctx context.Context) error {
	cs, err := p.ch.Committing(ctx)
	if err != nil {
		return err
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Id < cs[j].Id })
	open := map[uint64]bool{}
	var todo []probeKey
	var errs []error
	for _, c := range cs {
		open[c.Id] = true
		answers, err := p.ch.Answers(ctx, c.Id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, a := range answers {
			k := probeKey{c.Id, a.NodeId}
			if a.Commitment == "" && !p.isDone(k) {
				todo = append(todo, k)
			}
		}
	}
	sem := make(chan struct{}, p.cfg.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, k := range todo {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := p.probeNode(ctx, k); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	p.mu.Lock()
	for k := range p.done {
		if !open[k.challenge] {
			delete(p.done, k) // out of COMMIT: never probed again
		}
	}
	p.mu.Unlock()
	return errors.Join(errs...)
}

func (p *Prober) isDone(k probeKey) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done[k]
}

func (p *Prober) markDone(k probeKey) {
	p.mu.Lock()
	p.done[k] = true
	p.mu.Unlock()
}

// probeNode probes one invited node up to Attempts times and reports it if it never
// answered. An error (the chain, not the node) leaves it for the next pass.
func (p *Prober) probeNode(ctx context.Context, k probeKey) error {
	endpoint, err := p.ch.NodeEndpoint(ctx, k.node)
	if err != nil {
		return fmt.Errorf("node %s: %w", k.node, err)
	}
	var last error
	for i := 0; i < p.cfg.Attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(p.cfg.Retry):
			}
		}
		if last = Probe(ctx, endpoint, p.cfg.Timeout, p.cfg.Fetch); last == nil {
			p.Probes.WithLabelValues("available").Inc()
			p.markDone(k)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	p.Probes.WithLabelValues("unavailable").Inc()
	log := p.log.With("challenge", k.challenge, "node", k.node, "endpoint", endpoint)
	err = p.ch.ReportUnavailable(ctx, &types.MsgReportUnavailable{Reporter: p.ch.Address(), ChallengeId: k.challenge, NodeId: k.node})
	switch {
	case err == nil:
		p.Reports.Inc()
		log.Warn("invited miner did not answer its availability probe; reported", "attempts", p.cfg.Attempts, "last_error", last)
	case chain.Is(err, types.ErrAlreadyReported), chain.Is(err, types.ErrNodeAnswered), chain.Is(err, types.ErrWrongStatus):
		log.Info("availability report not needed", "why", err)
	default:
		return fmt.Errorf("report %s: %w", k.node, err)
	}
	p.markDone(k)
	return nil
}

// Committing implements ProberChain.
func (g *GRPCChain) Committing(ctx context.Context) ([]types.Challenge, error) {
	var out []types.Challenge
	var key []byte
	for range maxPages {
		qctx, cancel := g.C.QueryCtx(ctx)
		res, err := g.Q.Challenges(qctx, &types.QueryChallengesRequest{
			Status: types.CHALLENGE_STATUS_COMMIT, Pagination: &query.PageRequest{Key: key, Limit: 100}})
		cancel()
		if err != nil {
			return out, err
		}
		out = append(out, res.Challenges...)
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	return out, nil
}

// NodeEndpoint implements ProberChain.
func (g *GRPCChain) NodeEndpoint(ctx context.Context, nodeID string) (string, error) {
	qctx, cancel := g.C.QueryCtx(ctx)
	defer cancel()
	res, err := nodestypes.NewQueryClient(g.C.Conn()).Node(qctx, &nodestypes.QueryNodeRequest{NodeId: nodeID})
	if err != nil {
		return "", err
	}
	return res.Node.Endpoint, nil
}

// ReportUnavailable implements ProberChain.
func (g *GRPCChain) ReportUnavailable(ctx context.Context, msg *types.MsgReportUnavailable) error {
	_, err := g.S.Send(ctx, msg)
	return err
}
