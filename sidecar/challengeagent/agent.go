package challengeagent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cortnet/cortd/sidecar/archive"
	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/x/challenges/types"
)

// Config configures an Agent.
type Config struct {
	NodeID string
	// StateDir keeps work folders and the saved answers (patch + salt).
	StateDir string
	// OptIn sends MsgSetOptIn at start when the node is not opted in (the signer must be
	// the node's operator).
	OptIn        bool
	PollInterval time.Duration // backstop poll (default 5 s)
	// Fetch bounds the snapshot download, which goes through sidecar/fetch like every
	// download of the sidecar: the URL is written on chain by the challenger, so file URLs
	// and local addresses are refused unless Fetch.AllowLocal (local networks only).
	// Timeout defaults to 2 min, MaxBytes to 64 MiB (x/challenges' default
	// max_snapshot_bytes, what the evaluators accept too).
	Fetch fetch.Options
	// Unpack bounds the extracted snapshot; a zero field is archive.DefaultLimits' (the
	// evaluators' limits: the same unpacker, sidecar/archive).
	Unpack archive.Limits
	// Selector answers context-selection challenges (nil: GrepSelector).
	Selector Selector
}

// DefaultMaxSnapshotBytes is x/challenges' default max_snapshot_bytes: a larger claim
// is refused before any byte is downloaded.
const DefaultMaxSnapshotBytes = 64 << 20

// Agent answers the challenges its node is invited to.
type Agent struct {
	cfg    Config
	c      *chain.Client
	s      *chain.Signer
	q      types.QueryClient
	solver Solver
	log    *slog.Logger
	M      Metrics
	poke   chan struct{}
}

// Metrics are the agent's counters (the miner can add them to its /metrics).
type Metrics struct {
	Commits, Reveals, Failures atomic.Uint64
}

// withDefaults fills the zero fields with their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	if cfg.Fetch.Timeout <= 0 {
		cfg.Fetch.Timeout = 2 * time.Minute
	}
	if cfg.Fetch.MaxBytes == 0 {
		cfg.Fetch.MaxBytes = DefaultMaxSnapshotBytes
	}
	if cfg.Selector == nil {
		cfg.Selector = GrepSelector{}
	}
	return cfg
}

// New builds an agent.
func New(cfg Config, c *chain.Client, s *chain.Signer, solver Solver, log *slog.Logger) (*Agent, error) {
	if cfg.NodeID == "" || cfg.StateDir == "" || solver == nil {
		return nil, errors.New("challengeagent: node id, state dir and solver are required")
	}
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, err
	}
	return &Agent{cfg: cfg, c: c, s: s, q: types.NewQueryClient(c.Conn()), solver: solver,
		log:  log.With("role", "challenge-agent", "node", cfg.NodeID),
		poke: make(chan struct{}, 1)}, nil
}

// Run opts in if asked, then answers invitations until ctx ends: a pass over the open
// challenges on every challenge_posted event and every PollInterval.
func (a *Agent) Run(ctx context.Context) error {
	if a.cfg.OptIn {
		if err := a.optIn(ctx); err != nil {
			return err
		}
	}
	go func() {
		_ = a.c.Subscribe(ctx, chain.SubscribeConfig{}, func(b chain.Block) {
			for _, ev := range b.Typed() {
				if _, ok := ev.(*types.EventChallengePosted); ok {
					a.wake()
				}
			}
		}, func(string) { a.wake() })
	}()
	t := time.NewTicker(a.cfg.PollInterval)
	defer t.Stop()
	for {
		if err := a.pass(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("challenge pass failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-a.poke:
		}
	}
}

func (a *Agent) wake() {
	select {
	case a.poke <- struct{}{}:
	default:
	}
}

// optIn sends MsgSetOptIn unless the node is already opted in, retrying until it works
// (the node may not be registered yet when the miner starts).
func (a *Agent) optIn(ctx context.Context) error {
	for {
		qctx, cancel := a.c.QueryCtx(ctx)
		res, err := a.q.OptedIn(qctx, &types.QueryOptedInRequest{NodeId: a.cfg.NodeID})
		cancel()
		if err == nil && res.OptedIn {
			a.log.Info("node opted in to challenges")
			return nil
		}
		if err == nil {
			_, err = a.s.Send(ctx, &types.MsgSetOptIn{Operator: a.s.Address(), NodeId: a.cfg.NodeID, OptIn: true})
		}
		if err != nil {
			a.log.Warn("opt-in to challenges failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(a.cfg.PollInterval):
		}
	}
}

// pass answers, commits and reveals what is due among the challenges in COMMIT and
// REVEAL.
func (a *Agent) pass(ctx context.Context) error {
	var errs []error
	for _, st := range []types.ChallengeStatus{types.CHALLENGE_STATUS_COMMIT, types.CHALLENGE_STATUS_REVEAL} {
		qctx, cancel := a.c.QueryCtx(ctx)
		res, err := a.q.Challenges(qctx, &types.QueryChallengesRequest{Status: st})
		cancel()
		if err != nil {
			return err
		}
		for i := range res.Challenges {
			c := &res.Challenges[i]
			if !slices.Contains(c.Invited, a.cfg.NodeID) {
				continue
			}
			if err := a.handle(ctx, c); err != nil {
				a.M.Failures.Add(1)
				errs = append(errs, fmt.Errorf("challenge %d: %w", c.Id, err))
			}
		}
	}
	return errors.Join(errs...)
}

// answer is what is saved per challenge, before the commit is sent.
type answer struct {
	ChallengeID uint64 `json:"challenge_id"`
	Patch       []byte `json:"patch"`
	Salt        string `json:"salt"`
	Commitment  string `json:"commitment"`
	Committed   bool   `json:"committed"`
	Revealed    bool   `json:"revealed"`
	// Failed: no patch could be made (the error is logged once, not retried).
	Failed string `json:"failed,omitempty"`
}

func (a *Agent) answerPath(id uint64) string {
	return filepath.Join(a.cfg.StateDir, fmt.Sprintf("answer-%d.json", id))
}

func (a *Agent) load(id uint64) (*answer, error) {
	b, err := os.ReadFile(a.answerPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ans answer
	return &ans, json.Unmarshal(b, &ans)
}

func (a *Agent) save(ans *answer) error {
	b, err := json.Marshal(ans)
	if err != nil {
		return err
	}
	tmp := a.answerPath(ans.ChallengeID) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, a.answerPath(ans.ChallengeID))
}

// handle moves one invited challenge forward: solve and commit while the response
// window is open, reveal once it has closed.
func (a *Agent) handle(ctx context.Context, c *types.Challenge) error {
	ans, err := a.load(c.Id)
	if err != nil {
		return err
	}
	h, err := a.c.Height(ctx)
	if err != nil {
		return err
	}
	// The next block's height is what the handlers compare with.
	next := h + 1
	if ans == nil {
		if next >= c.CommitEndHeight {
			return nil // too late to answer
		}
		if ans, err = a.solve(ctx, c); err != nil {
			return err
		}
	}
	if ans.Failed != "" || ans.Revealed {
		return nil
	}
	if !ans.Committed && next < c.CommitEndHeight {
		_, err := a.s.Send(ctx, &types.MsgCommitPatch{Sender: a.s.Address(), ChallengeId: c.Id, NodeId: a.cfg.NodeID,
			Commitment: ans.Commitment})
		if err != nil && !chain.Is(err, types.ErrAlreadyCommitted) {
			return fmt.Errorf("commit: %w", err)
		}
		a.M.Commits.Add(1)
		ans.Committed = true
		a.log.Info("patch committed", "challenge", c.Id, "commitment", ans.Commitment, "patch_bytes", len(ans.Patch))
		if err := a.save(ans); err != nil {
			return err
		}
	}
	if ans.Committed && next >= c.CommitEndHeight && next < c.RevealEndHeight {
		_, err := a.s.Send(ctx, &types.MsgRevealPatch{Sender: a.s.Address(), ChallengeId: c.Id, NodeId: a.cfg.NodeID,
			Patch: ans.Patch, Salt: ans.Salt})
		if err != nil && !chain.Is(err, types.ErrAlreadyRevealed) {
			return fmt.Errorf("reveal: %w", err)
		}
		a.M.Reveals.Add(1)
		ans.Revealed = true
		a.log.Info("patch revealed", "challenge", c.Id)
		return a.save(ans)
	}
	return nil
}

// solve downloads the snapshot, lays out the work folder, runs the solver and saves the
// answer with a fresh salt.
func (a *Agent) solve(ctx context.Context, c *types.Challenge) (*answer, error) {
	ans := &answer{ChallengeID: c.Id}
	patch, err := a.makePatch(ctx, c)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Not retried: the same input would fail the same way (logged, counted).
		a.log.Warn("no answer to the challenge", "challenge", c.Id, "err", err)
		ans.Failed = err.Error()
		return ans, a.save(ans)
	}
	salt, err := newSalt()
	if err != nil {
		return nil, err
	}
	sb, err := types.DecodeSalt(salt)
	if err != nil {
		return nil, err
	}
	ans.Patch, ans.Salt, ans.Commitment = patch, salt, types.PatchCommitment(patch, sb)
	return ans, a.save(ans)
}

func (a *Agent) makePatch(ctx context.Context, c *types.Challenge) ([]byte, error) {
	dir := filepath.Join(a.cfg.StateDir, fmt.Sprintf("challenge-%d", c.Id))
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "repo"), 0o755); err != nil {
		return nil, err
	}
	snap, err := fetch.Fetch(ctx, c.Snapshot.Url, c.Snapshot.SizeBytes, c.Snapshot.Sha256, a.cfg.Fetch)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if _, err := archive.Unpack(snap, filepath.Join(dir, "repo"), a.cfg.Unpack); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if err := writeWorkFiles(dir, c); err != nil {
		return nil, err
	}
	start := time.Now()
	if c.TaskType == types.TASK_TYPE_CONTEXT_SELECTION {
		return a.selectFiles(ctx, c, dir, start)
	}
	patch, err := a.solver.Solve(ctx, dir)
	if err != nil {
		return nil, err
	}
	if len(patch) == 0 {
		return nil, errors.New("the agent wrote an empty patch")
	}
	a.log.Info("agent answered", "challenge", c.Id, "patch_bytes", len(patch), "took", time.Since(start).Round(time.Millisecond))
	return patch, nil
}

// selectFiles answers a context-selection challenge: the selector's paths, checked
// against the chain's rule (params max_answer_files and max_path_bytes), in the
// canonical encoding the commitment binds.
func (a *Agent) selectFiles(ctx context.Context, c *types.Challenge, dir string, start time.Time) ([]byte, error) {
	paths, err := a.cfg.Selector.Select(ctx, dir)
	if err != nil {
		return nil, err
	}
	p := types.DefaultParams()
	if a.c != nil && a.q != nil { // the chain's bounds; the defaults if it cannot say
		qctx, cancel := a.c.QueryCtx(ctx)
		if res, err := a.q.Params(qctx, &types.QueryParamsRequest{}); err == nil {
			p = res.Params
		}
		cancel()
	}
	list, err := types.NormalizeFileList(paths, p.MaxAnswerFiles, p.MaxPathBytes)
	if err != nil {
		return nil, fmt.Errorf("the selector's answer: %w", err)
	}
	a.log.Info("files selected", "challenge", c.Id, "files", list, "took", time.Since(start).Round(time.Millisecond))
	return types.EncodeFileList(list), nil
}

// writeWorkFiles writes the challenge's texts into the work folder (see the package doc).
func writeWorkFiles(dir string, c *types.Challenge) error {
	checklist := ""
	for _, item := range c.Checklist {
		checklist += "- " + item + "\n"
	}
	cj, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	for name, body := range map[string]string{
		"STATEMENT.md": c.ProblemStatement + "\n", "CHECKLIST.md": checklist,
		"CONTEXT_PATHS": strings.Join(c.ContextPaths, "\n") + "\n", "TEST_COMMAND": c.TestCommand + "\n",
		"TASK_TYPE": taskTypeName(c.TaskType) + "\n", "challenge.json": string(cj),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// taskTypeName is the task type as the work folder's TASK_TYPE file names it.
func taskTypeName(tt types.TaskType) string {
	switch tt {
	case types.TASK_TYPE_CODEGEN:
		return "codegen"
	case types.TASK_TYPE_BUGFIX:
		return "bugfix"
	case types.TASK_TYPE_CONTEXT_SELECTION:
		return "context-selection"
	default:
		return tt.String()
	}
}
