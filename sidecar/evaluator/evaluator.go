package evaluator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/sidecar/sandbox"
)

// Config of an evaluator.
type Config struct {
	// Sandbox is the policy and limits of every run; its GoCacheSeed and Mounts
	// are set per challenge.
	Sandbox sandbox.Config
	// WorkRoot holds the per-challenge directories and the warm standard-library
	// build cache (kept across restarts). Required.
	WorkRoot string
	// Fetch bounds downloads; MaxSnapshotBytes and MaxTestsBytes refuse larger
	// claims before any byte is read (0: the chain's defaults, 64 and 16 MiB).
	Fetch                           fetch.Options
	MaxSnapshotBytes, MaxTestsBytes uint64
	Unpack                          UnpackLimits // zero: DefaultUnpackLimits
	MaxPatchBytes                   int          // 0: 1 MiB (the chain's hard cap)
	// StdCacheDir is the warm standard-library build cache (default
	// WorkRoot/gocache-std); built once, then only read.
	StdCacheDir string
	Log         *slog.Logger
}

// Artifact is a file named on chain by URL, sha256 and size.
type Artifact struct {
	URL, SHA256 string
	Size        uint64
}

// Challenge is what the evaluator needs of an x/challenges challenge.
type Challenge struct {
	ID          uint64
	Snapshot    Artifact
	Tests       Artifact
	TestCommand string
}

// Outcome is the score of one patch and why.
type Outcome struct {
	ScoreBps    uint32
	Passed, Run int
	Reason      string // "scored", or why the patch scored 0 without a count
	Limit       sandbox.LimitHit
	Duration    time.Duration
}

// Evaluator prepares challenges and scores patches. Its methods are safe for
// concurrent use, but runs are heavy: the role evaluates one patch at a time.
type Evaluator struct {
	cfg      Config
	log      *slog.Logger
	warmOnce sync.Once
	warmErr  error
}

// New checks the configuration and creates WorkRoot.
func New(cfg Config) (*Evaluator, error) {
	if cfg.WorkRoot == "" {
		return nil, errors.New("evaluator: WorkRoot is required")
	}
	if cfg.MaxSnapshotBytes == 0 {
		cfg.MaxSnapshotBytes = 64 << 20
	}
	if cfg.MaxTestsBytes == 0 {
		cfg.MaxTestsBytes = 16 << 20
	}
	if cfg.Unpack == (UnpackLimits{}) {
		cfg.Unpack = DefaultUnpackLimits
	}
	if cfg.MaxPatchBytes <= 0 {
		cfg.MaxPatchBytes = 1 << 20
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	root, err := filepath.Abs(cfg.WorkRoot)
	if err != nil {
		return nil, err
	}
	cfg.WorkRoot = root
	if cfg.StdCacheDir == "" {
		cfg.StdCacheDir = filepath.Join(root, "gocache-std")
	}
	// World-traversable: the sandbox runs as an unprivileged uid when we are root.
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(root, 0o755); err != nil {
		return nil, err
	}
	if os.Getuid() == 0 {
		if err := traversable(root); err != nil {
			return nil, err
		}
	}
	cfg.Sandbox.Env = append(append([]string(nil), cfg.Sandbox.Env...), "GOFLAGS=-json")
	return &Evaluator{cfg: cfg, log: cfg.Log}, nil
}

// Prepared is a fetched, unpacked challenge with its baseline; Score patches
// with it, then Close it.
type Prepared struct {
	e           *Evaluator
	ch          Challenge
	dir         string
	snapshot    string          // unpacked snapshot (read-only source of every run)
	tests       string          // unpacked hidden tests
	cache       string          // per-challenge warm GOCACHE
	hidden      map[string]bool // paths of the hidden tests
	BaselineRun int             // tests the unpatched snapshot ran
	Baseline    Counts
}

// Prepare fetches, checks and unpacks a challenge's snapshot and tests and runs
// the baseline. An error means the challenge cannot be evaluated (bad or
// unavailable artifacts): the evaluator then submits no scores for it.
func (e *Evaluator) Prepare(ctx context.Context, ch Challenge) (*Prepared, error) {
	if ch.TestCommand == "" {
		return nil, errors.New("evaluator: challenge has no test command")
	}
	if err := e.warmStd(ctx); err != nil {
		return nil, err
	}
	snap, err := e.fetch(ctx, ch.Snapshot, e.cfg.MaxSnapshotBytes, "snapshot")
	if err != nil {
		return nil, err
	}
	tests, err := e.fetch(ctx, ch.Tests, e.cfg.MaxTestsBytes, "tests")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(e.cfg.WorkRoot, fmt.Sprintf("challenge-%d-", ch.ID))
	if err != nil {
		return nil, err
	}
	p := &Prepared{e: e, ch: ch, dir: dir, snapshot: filepath.Join(dir, "snapshot"),
		tests: filepath.Join(dir, "tests"), cache: filepath.Join(dir, "gocache"), hidden: map[string]bool{}}
	ok := false
	defer func() {
		if !ok {
			_ = p.Close()
		}
	}()
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	for _, d := range []string{p.snapshot, p.tests} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if _, err := Unpack(snap, p.snapshot, e.cfg.Unpack); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	names, err := Unpack(tests, p.tests, e.cfg.Unpack)
	if err != nil {
		return nil, fmt.Errorf("tests: %w", err)
	}
	for _, n := range names {
		p.hidden[n] = true
	}
	if err := copyTree(e.stdCache(), p.cache); err != nil {
		return nil, fmt.Errorf("seed cache: %w", err)
	}
	// The baseline is the poster's code and tests only, so it may write the
	// per-challenge cache that the patched runs then read.
	cfg := p.sandboxConfig("")
	res, err := sandbox.WarmGoCache(ctx, cfg, p.cache, p.snapshot, baselineScript)
	if err != nil {
		return nil, err
	}
	if c, err := ParseTestOutput(res.Output); err == nil && res.Limit == sandbox.LimitNone {
		p.Baseline, p.BaselineRun = c, c.Run
	}
	e.log.Info("challenge prepared", "challenge", ch.ID, "hidden_tests", len(names),
		"baseline_passed", p.Baseline.Passed, "baseline_run", p.BaselineRun,
		"baseline_limit", string(res.Limit), "seconds", res.Duration.Seconds())
	ok = true
	return p, nil
}

func (e *Evaluator) fetch(ctx context.Context, a Artifact, max uint64, what string) ([]byte, error) {
	o := e.cfg.Fetch
	o.MaxBytes = max
	b, err := fetch.Fetch(ctx, a.URL, a.Size, a.SHA256, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return b, nil
}

// Scripts run inside the sandbox (in /work, a copy of the snapshot).
const (
	testsMount     = "/in/tests"
	patchMount     = "/in/patch.diff"
	baselineScript = `cp -R ` + testsMount + `/. . && exec /bin/sh -c "$TEST_COMMAND"`
	// exit 97 (and the marker) say the patch does not apply; anything after is
	// the test command's.
	patchScript = `if ! git apply --check ` + patchMount + ` >/dev/null 2>&1 || ! git apply ` + patchMount + ` >/dev/null 2>&1; then echo "` + notApplyMarker + `"; exit 97; fi
cp -R ` + testsMount + `/. . && exec /bin/sh -c "$TEST_COMMAND"`
	notApplyMarker = "cortd-evaluator: patch does not apply"
)

func (p *Prepared) sandboxConfig(patchFile string) sandbox.Config {
	cfg := p.e.cfg.Sandbox
	cfg.Env = append(append([]string(nil), cfg.Env...), "TEST_COMMAND="+p.ch.TestCommand, "GIT_CEILING_DIRECTORIES=/")
	cfg.Mounts = append(append([]sandbox.Mount(nil), cfg.Mounts...), sandbox.Mount{Src: p.tests, Dst: testsMount})
	if patchFile != "" {
		cfg.Mounts = append(cfg.Mounts, sandbox.Mount{Src: patchFile, Dst: patchMount})
	}
	cfg.GoCacheSeed = p.cache
	return cfg
}

// Score evaluates one patch. It never fails: every problem is a zero score with
// a reason (an error of the sandbox itself is reported as reason "sandbox: ...").
func (p *Prepared) Score(ctx context.Context, patch []byte) Outcome {
	start := time.Now()
	if err := CheckPatch(patch, p.e.cfg.MaxPatchBytes, p.hidden); err != nil {
		return Outcome{Reason: err.Error(), Duration: time.Since(start)}
	}
	f, err := os.CreateTemp(p.dir, "patch-*.diff")
	if err != nil {
		return Outcome{Reason: "sandbox: " + err.Error()}
	}
	defer os.Remove(f.Name())
	_, werr := f.Write(patch)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Chmod(f.Name(), 0o644) != nil {
		return Outcome{Reason: fmt.Sprintf("sandbox: writing the patch: %v %v", werr, cerr)}
	}
	res, err := sandbox.Run(ctx, p.sandboxConfig(f.Name()), p.snapshot, patchScript)
	out := Outcome{Limit: res.Limit, Duration: time.Since(start)}
	switch {
	case err != nil:
		out.Reason = "sandbox: " + err.Error()
	case res.Limit != sandbox.LimitNone:
		out.Reason = "limit: " + string(res.Limit)
	case res.ExitCode == 97 && containsLine(res.Output, notApplyMarker):
		out.Reason = "patch does not apply"
	default:
		c, perr := ParseTestOutput(res.Output)
		if perr != nil {
			out.Reason = perr.Error()
			break
		}
		out.Passed, out.Run = c.Passed, c.Run
		out.ScoreBps = scoreBps(c.Passed, c.Run, p.BaselineRun)
		out.Reason = "scored"
	}
	return out
}

// Close removes the challenge's files.
func (p *Prepared) Close() error { return os.RemoveAll(p.dir) }

// scoreBps is passed / max(run, baselineRun) in basis points, rounded down: a
// patch that makes fewer tests run than the unpatched code is measured against
// the baseline's count.
func scoreBps(passed, run, baselineRun int) uint32 {
	den := max(run, baselineRun)
	if den <= 0 || passed <= 0 {
		return 0
	}
	if passed >= den {
		return 10000
	}
	return uint32(int64(passed) * 10000 / int64(den))
}

func containsLine(out []byte, line string) bool {
	for _, l := range splitLines(out) {
		if l == line {
			return true
		}
	}
	return false
}

func splitLines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}

// copyTree copies the regular files and directories of src into dst (created).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, 0o644)
		}
		return nil
	})
}

// DefaultWorkRoot picks the evaluator's work root for a keyring home:
// <home>/evaluator, unless the process is root and that path is not searchable by
// the sandbox's unprivileged uid (a 0700 home or mktemp dir), in which case a
// folder under the system temp dir named after the home.
func DefaultWorkRoot(home string) string {
	abs, err := filepath.Abs(home)
	if err != nil {
		abs = home
	}
	dir := filepath.Join(abs, "evaluator")
	if os.Getuid() != 0 || traversable(abs) == nil {
		return dir
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "cortd-evaluator-"+hex.EncodeToString(sum[:6]))
}

// traversable checks that every ancestor of dir can be searched by others: as
// root the sandbox runs as an unprivileged uid, and bwrap must reach the bound
// paths.
func traversable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("evaluator: %s is not searchable by other users (mode %v); the sandbox's unprivileged uid must reach the work root: chmod o+x it or pick another --work-dir", d, st.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
