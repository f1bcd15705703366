package challenger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/x/challenges/types"
)

// Challenge is what gets posted: the archives and the texts.
type Challenge struct {
	TaskType     types.TaskType
	Snapshot     []byte
	Tests        []byte
	Statement    string
	ContextPaths []string
	Checklist    []string
	TestCommand  string
}

// Challenge turns a prepared bugfix into a postable challenge. The statement names the
// file (a context path) but not the function or the mutation.
func (b *Bugfix) Challenge() Challenge {
	return Challenge{
		TaskType: types.TASK_TYPE_BUGFIX, Snapshot: b.Snapshot, Tests: b.Tests, TestCommand: b.TestCommand,
		Statement: fmt.Sprintf("A bug was introduced into %s: a small change to one function makes the "+
			"repository's hidden tests fail. Find it and fix it. Answer with a unified diff (git apply) "+
			"against the snapshot that does not touch any *_test.go file.", b.Site.File),
		ContextPaths: []string{b.Site.File},
		Checklist: []string{"the hidden tests pass (`" + b.TestCommand + "`)", "only non-test files change",
			"the change is minimal: restore the intended behaviour"},
	}
}

// Challenge turns a prepared codegen challenge into a postable one.
func (c *Codegen) Challenge() Challenge {
	return Challenge{TaskType: types.TASK_TYPE_CODEGEN, Snapshot: c.Snapshot, Tests: c.Tests,
		Statement: c.Spec.Statement, ContextPaths: c.Spec.ContextPaths, Checklist: c.Spec.Checklist,
		TestCommand: c.Spec.TestCommand}
}

// Config configures a Poster.
type Config struct {
	// PublishDir receives the archives miners and evaluators download: the snapshot at
	// posting, the tests only when they are revealed.
	PublishDir string
	// BaseURL is the URL of PublishDir (e.g. http://host:port/); empty: file://<abs PublishDir>/.
	BaseURL string
	// StateDir keeps the tests archive and its salt until the reveal (survives restarts).
	StateDir                         string
	MinMiners, MaxMiners             uint32
	ResponseWindow, EvaluationWindow uint64 // blocks
	PollInterval                     time.Duration
}

// Poster posts challenges for one validator key and reveals their tests on time.
type Poster struct {
	cfg Config
	c   *chain.Client
	s   *chain.Signer
	q   types.QueryClient
	log *slog.Logger
	M   Metrics
}

// NewPoster checks cfg and creates the folders.
func NewPoster(cfg Config, c *chain.Client, s *chain.Signer, log *slog.Logger) (*Poster, error) {
	if cfg.PublishDir == "" || cfg.StateDir == "" {
		return nil, errors.New("challenger: publish and state folders are required")
	}
	for _, d := range []string{cfg.PublishDir, cfg.StateDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	if cfg.BaseURL == "" {
		abs, err := filepath.Abs(cfg.PublishDir)
		if err != nil {
			return nil, err
		}
		cfg.BaseURL = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/"}).String()
	}
	if !strings.HasSuffix(cfg.BaseURL, "/") {
		cfg.BaseURL += "/"
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	return &Poster{cfg: cfg, c: c, s: s, q: types.NewQueryClient(c.Conn()), log: log}, nil
}

// saved is what the state folder keeps per posted challenge (named by its commitment).
type saved struct {
	ChallengeID uint64 `json:"challenge_id"`
	Commitment  string `json:"commitment"`
	TestsSha256 string `json:"tests_sha256"`
	TestsSize   uint64 `json:"tests_size"`
	Salt        string `json:"salt"`
	Revealed    bool   `json:"revealed"` // MsgRevealTests was included
	Done        bool   `json:"done"`     // nothing left to do (revealed, or the challenge ended without)
}

func (p *Poster) statePath(commitment string) string {
	return filepath.Join(p.cfg.StateDir, "challenge-"+commitment+".json")
}

func (p *Poster) save(st saved) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(p.statePath(st.Commitment), b, 0o600)
}

// NewSalt draws a 32-byte salt (lowercase hex), as x/challenges requires.
func NewSalt() (string, error) {
	b := make([]byte, types.MaxSaltBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Commit returns the tests archive's sha256 and the commitment posted on chain.
func Commit(tests []byte, saltHex string) (testsSha string, commitment string, err error) {
	salt, err := types.DecodeSalt(saltHex)
	if err != nil {
		return "", "", err
	}
	testsSha = types.Sha256Hex(tests)
	return testsSha, types.TestsCommitment(testsSha, salt), nil
}

// Post publishes the snapshot, keeps the tests and salt in the state folder, and posts
// the challenge. It returns the challenge id.
func (p *Poster) Post(ctx context.Context, ch Challenge) (uint64, error) {
	salt, err := NewSalt()
	if err != nil {
		return 0, err
	}
	testsSha, commitment, err := Commit(ch.Tests, salt)
	if err != nil {
		return 0, err
	}
	snapSha := types.Sha256Hex(ch.Snapshot)
	snapName := "snapshot-" + snapSha + ".tar.gz"
	if err := writeAtomic(filepath.Join(p.cfg.PublishDir, snapName), ch.Snapshot, 0o644); err != nil {
		return 0, err
	}
	if err := writeAtomic(filepath.Join(p.cfg.StateDir, "tests-"+testsSha+".tar.gz"), ch.Tests, 0o600); err != nil {
		return 0, err
	}
	st := saved{Commitment: commitment, TestsSha256: testsSha, TestsSize: uint64(len(ch.Tests)), Salt: salt}
	// Saved before posting: after a crash the challenge is found again by its commitment.
	if err := p.save(st); err != nil {
		return 0, err
	}
	msg := &types.MsgPostChallenge{
		Poster: p.s.Address(), TaskType: ch.TaskType,
		Snapshot:         types.Snapshot{Url: p.cfg.BaseURL + snapName, Sha256: snapSha, SizeBytes: uint64(len(ch.Snapshot))},
		ProblemStatement: ch.Statement, ContextPaths: ch.ContextPaths, Checklist: ch.Checklist,
		TestCommand: ch.TestCommand, TestsCommitment: commitment,
		MinMiners: p.cfg.MinMiners, MaxMiners: p.cfg.MaxMiners,
		ResponseWindowBlocks: p.cfg.ResponseWindow, EvaluationWindowBlocks: p.cfg.EvaluationWindow,
	}
	res, err := p.s.Send(ctx, msg)
	if err != nil {
		p.M.Failures.Add(1)
		_ = os.Remove(p.statePath(commitment))
		return 0, fmt.Errorf("post challenge: %w", err)
	}
	var out types.MsgPostChallengeResponse
	if err := chain.MsgResponse(res, 0, &out); err != nil {
		return 0, err
	}
	p.M.Posted.Add(1)
	st.ChallengeID = out.ChallengeId
	if err := p.save(st); err != nil {
		return 0, err
	}
	p.log.Info("challenge posted", "id", out.ChallengeId, "type", ch.TaskType.String(), "snapshot", msg.Snapshot.Url,
		"snapshot_bytes", len(ch.Snapshot), "tests_bytes", len(ch.Tests), "tx", res.TxHash)
	return out.ChallengeId, nil
}

func writeAtomic(path string, b []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
