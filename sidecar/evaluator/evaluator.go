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
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/modfile"

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
// concurrent use; the role bounds how many patches run at once.
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
	return &Evaluator{cfg: cfg, log: cfg.Log}, nil
}

// Prepared is a fetched, unpacked challenge with its baseline; Score patches
// with it (concurrently if wanted), then Close it.
type Prepared struct {
	e        *Evaluator
	ch       Challenge
	dir      string
	snapshot string          // unpacked snapshot (read-only source of every run)
	tests    string          // unpacked hidden tests
	harness  string          // the generated test mains, laid over the tests
	cache    string          // per-challenge warm GOCACHE
	hidden   map[string]bool // paths of the hidden test files
	module   string          // the snapshot's module path (its packages may be imported)
	Tests    []HiddenTest    // what counts: score = passed / len(Tests)
	pkgs     []testPackage
	script   string
	// BaselinePassed is how many hidden tests the unpatched snapshot passes, in
	// BaselineDuration (a cold per-challenge cache: patched runs take less).
	BaselinePassed   int
	BaselineDuration time.Duration
	// skipSourcePolicy (tests only) lets patched code import anything, to show
	// what the sandbox and the channel hold by themselves.
	skipSourcePolicy bool
}

// Prepare fetches, checks and unpacks a challenge's snapshot and tests, lists the
// hidden tests, writes their harness and runs the baseline. An error means the
// challenge cannot be evaluated (bad or unavailable artifacts, unusable tests):
// the evaluator then submits no scores for it.
func (e *Evaluator) Prepare(ctx context.Context, ch Challenge) (*Prepared, error) {
	if err := checkTestCommand(ch.TestCommand); err != nil {
		return nil, err
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
		tests: filepath.Join(dir, "tests"), harness: filepath.Join(dir, "harness"),
		cache: filepath.Join(dir, "gocache"), hidden: map[string]bool{}}
	ok := false
	defer func() {
		if !ok {
			_ = p.Close()
		}
	}()
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	for _, d := range []string{p.snapshot, p.tests, p.harness} {
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
	files := map[string][]byte{}
	for _, n := range names {
		p.hidden[n] = true
		if b, err := readInside(p.tests, n); err == nil {
			files[n] = b
		}
	}
	if gomod, err := readInside(p.snapshot, "go.mod"); err == nil {
		p.module = modfile.ModulePath(gomod)
	}
	if p.Tests, p.pkgs, err = findHiddenTests(files); err != nil {
		return nil, err
	}
	if err := p.writeHarness(); err != nil {
		return nil, err
	}
	if err := copyTree(e.stdCache(), p.cache); err != nil {
		return nil, fmt.Errorf("seed cache: %w", err)
	}
	// The baseline is the poster's code and tests only, so it may write the
	// per-challenge cache that the patched runs then read.
	res, rep, err := p.run(ctx, p.snapshot, true, 0)
	if err != nil {
		return nil, err
	}
	if rep.err != nil {
		return nil, fmt.Errorf("baseline: %w", rep.err)
	}
	p.BaselinePassed, _ = rep.count()
	p.BaselineDuration = res.Duration
	if _, reported := rep.count(); reported < len(p.Tests) {
		// Some hidden test did not report on the poster's own code: say why.
		e.log.Warn("baseline: hidden tests without a verdict", "challenge", ch.ID, "reported", reported,
			"hidden_tests", len(p.Tests), "exit", res.ExitCode, "output_tail", tail(res.Output, 2000))
	}
	e.log.Info("challenge prepared", "challenge", ch.ID, "hidden_tests", len(p.Tests), "packages", len(p.pkgs),
		"baseline_passed", p.BaselinePassed, "baseline_limit", string(res.Limit), "seconds", res.Duration.Seconds())
	ok = true
	return p, nil
}

// checkTestCommand: results come from the evaluator's own Go test harness, so
// the challenge's command must be a `go test` of packages; anything else (a
// shell line, another runner whose output would be the verdict) is refused.
func checkTestCommand(cmd string) error {
	f := strings.Fields(cmd)
	if len(f) < 2 || f[0] != "go" || f[1] != "test" {
		return fmt.Errorf("%w: test command %q: only `go test [packages]` is supported", ErrBadTests, cmd)
	}
	for _, a := range f[2:] {
		if strings.HasPrefix(a, "-") || strings.ContainsAny(a, "`$;&|<>()\\'\"") {
			return fmt.Errorf("%w: test command %q: flags and shell syntax are not supported", ErrBadTests, cmd)
		}
	}
	return nil
}

// writeHarness writes one generated test main per package directory of hidden
// tests (into the harness tree laid over the tests in every run), and the script.
func (p *Prepared) writeHarness() error {
	for _, tp := range p.pkgs {
		src, err := harnessSource(tp, p.module)
		if err != nil {
			return err
		}
		d := filepath.Join(p.harness, filepath.FromSlash(tp.Dir))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, harnessFile), src, 0o644); err != nil {
			return err
		}
	}
	p.script = runnerScript(p.pkgs)
	return nil
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

// Mount points inside the sandbox.
const (
	testsMount   = "/in/tests"
	harnessMount = "/in/harness"
	// Exit 95 of the runner script: the hidden tests could not be laid over the
	// patched tree (the patch put something in their way).
	exitNoLayout = 95
)

// run runs the harness over src (a snapshot or a patched tree) with a fresh
// result channel: descriptor 3 carries the key (written by the host once the
// script says the binaries are built), descriptor 4 the verdicts. warm runs let
// the baseline write the per-challenge build cache.
func (p *Prepared) run(ctx context.Context, src string, warm bool, wall time.Duration) (sandbox.Result, *report, error) {
	keyR, keyW, err := os.Pipe()
	if err != nil {
		return sandbox.Result{}, nil, err
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		keyR.Close()
		keyW.Close()
		return sandbox.Result{}, nil, err
	}
	rep := newReport(len(p.Tests), keyW)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rep.read(repR)
	}()
	cfg := p.e.cfg.Sandbox
	cfg.Mounts = append(append([]sandbox.Mount(nil), cfg.Mounts...),
		sandbox.Mount{Src: p.tests, Dst: testsMount}, sandbox.Mount{Src: p.harness, Dst: harnessMount})
	cfg.NoProc = true
	if wall > 0 {
		cfg.Limits.Wall = wall
	}
	cfg.ExtraFiles = []*os.File{keyR, repW} // descriptors 3 and 4
	var res sandbox.Result
	if warm {
		res, err = sandbox.WarmGoCache(ctx, cfg, p.cache, src, p.script)
	} else {
		cfg.GoCacheSeed = p.cache
		res, err = sandbox.Run(ctx, cfg, src, p.script)
	}
	// Every process of the sandbox is gone: closing our copies ends the channel.
	keyR.Close()
	repW.Close()
	<-done
	repR.Close()
	return res, rep, err
}

// Score evaluates one patch. It never fails: every problem is a zero score with
// a reason (an error of the sandbox itself is reported as reason "sandbox: ...").
// It is safe to call concurrently: each run has its own tree, sandbox and channel.
func (p *Prepared) Score(ctx context.Context, patch []byte) Outcome {
	return p.ScoreWithin(ctx, patch, 0)
}

// ScoreWithin is Score with the run's wall clock bounded by wall (0: the
// sandbox's limit).
func (p *Prepared) ScoreWithin(ctx context.Context, patch []byte, wall time.Duration) Outcome {
	start := time.Now()
	out := Outcome{Run: len(p.Tests)}
	fail := func(err error) Outcome {
		out.Reason, out.Duration = err.Error(), time.Since(start)
		if errors.Is(err, ErrDoesNotApply) {
			out.Reason = ErrDoesNotApply.Error()
		}
		return out
	}
	if err := CheckPatch(patch, p.e.cfg.MaxPatchBytes, p.hidden); err != nil {
		return fail(err)
	}
	changes, err := applyPatch(p.snapshot, patch)
	if err != nil {
		return fail(err)
	}
	for _, name := range sortedKeys(changes) {
		if changes[name] == nil || p.skipSourcePolicy {
			continue
		}
		if err := CheckGoSource(name, changes[name], p.module); err != nil {
			return fail(err)
		}
	}
	tree, err := os.MkdirTemp(p.dir, "patched-")
	if err != nil {
		return fail(fmt.Errorf("sandbox: %w", err))
	}
	defer os.RemoveAll(tree)
	if err := os.Chmod(tree, 0o755); err != nil {
		return fail(fmt.Errorf("sandbox: %w", err))
	}
	if err := writePatchedTree(p.snapshot, tree, changes); err != nil {
		return fail(fmt.Errorf("sandbox: writing the patched tree: %w", err))
	}
	res, rep, err := p.run(ctx, tree, false, wall)
	out.Limit, out.Duration = res.Limit, time.Since(start)
	switch {
	case err != nil:
		out.Reason = "sandbox: " + err.Error()
	case rep.err != nil:
		out.Reason = rep.err.Error()
	case res.Limit != sandbox.LimitNone:
		out.Reason = "limit: " + string(res.Limit)
	case res.ExitCode == exitNoLayout:
		out.Reason = "the hidden tests could not be laid over the patched tree"
	default:
		out.Passed, _ = rep.count()
		out.ScoreBps = scoreBps(out.Passed, len(p.Tests))
		out.Reason = "scored"
	}
	return out
}

// Close removes the challenge's files.
func (p *Prepared) Close() error { return os.RemoveAll(p.dir) }

// scoreBps is passed hidden tests / hidden tests in basis points, rounded down.
func scoreBps(passed, tests int) uint32 {
	if tests <= 0 || passed <= 0 {
		return 0
	}
	if passed >= tests {
		return 10000
	}
	return uint32(int64(passed) * 10000 / int64(tests))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
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
