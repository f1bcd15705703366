package challenger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/cortnet/cortd/sidecar/evaluator"
)

// Runner runs a shell command in dir and reports whether it succeeded; output is for
// logs. The default runs `sh -c` unsandboxed: the repository is the validator's own.
type Runner func(ctx context.Context, dir, command string) (ok bool, output string, err error)

// ShellRunner runs command with `sh -c` in dir, bounded by timeout. A non-zero exit is
// ok=false with err=nil; err is for failures to run at all (and timeouts).
func ShellRunner(timeout time.Duration) Runner {
	return func(ctx context.Context, dir, command string) (bool, string, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", "-c", command)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-count=1")
		cmd.WaitDelay = 5 * time.Second
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ctx.Err() != nil {
			return false, out.String(), fmt.Errorf("%q timed out after %s", command, timeout)
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return false, out.String(), nil
		}
		return err == nil, out.String(), err
	}
}

// BugfixOptions configures MakeBugfix.
type BugfixOptions struct {
	Repo        string // the repository (never modified: the work happens on a copy)
	TestCommand string // default "go test ./..."
	BuildCmd    string // must pass with the mutation; default "go build ./... && go vet ./..."
	Seed        uint64 // picks the order in which sites are tried
	MaxTries    int    // sites tried before giving up (default 20)
	Run         Runner // default ShellRunner(2 min)
	Log         *slog.Logger
}

// Bugfix is a prepared bugfix challenge: the archives and what the statement needs.
type Bugfix struct {
	Site        Site
	Snapshot    []byte // tar.gz of the buggy repository without test files
	Tests       []byte // tar.gz of the test files
	TestCommand string
	Tried       int // sites tried, including the one kept
}

// MakeBugfix copies the repository, checks its tests pass, then tries mutation sites in
// an order drawn from the seed until one builds, makes the tests fail, and the tests
// pass again once it is undone.
func MakeBugfix(ctx context.Context, o BugfixOptions) (*Bugfix, error) {
	if o.TestCommand == "" {
		o.TestCommand = "go test ./..."
	}
	if o.BuildCmd == "" {
		o.BuildCmd = "go build ./... && go vet ./..."
	}
	if o.MaxTries <= 0 {
		o.MaxTries = 20
	}
	if o.Run == nil {
		o.Run = ShellRunner(2 * time.Minute)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	work, err := os.MkdirTemp("", "cortd-challenger-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if err := copyTree(o.Repo, work); err != nil {
		return nil, fmt.Errorf("copy %s: %w", o.Repo, err)
	}
	ok, out, err := o.Run(ctx, work, o.TestCommand)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the repository's tests fail before any mutation:\n%s", tail(out))
	}
	sites, err := FindSites(work)
	if err != nil {
		return nil, err
	}
	sites = fixableSites(work, sites, o.Log)
	if len(sites) == 0 {
		return nil, errors.New("no mutation sites in the repository's Go files that a patch may change (the evaluator's source policy)")
	}
	order := rand.New(rand.NewPCG(o.Seed, 0x636f727464)).Perm(len(sites))
	tried := 0
	for _, i := range order {
		if tried >= o.MaxTries {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tried++
		s := sites[i]
		kept, err := tryBug(ctx, o, work, s)
		if err != nil {
			return nil, err
		}
		if !kept {
			continue
		}
		b := &Bugfix{Site: s, TestCommand: o.TestCommand, Tried: tried}
		if b.Snapshot, err = PackTarGz(work, func(rel string) bool { return !IsTestFile(rel) }); err != nil {
			return nil, err
		}
		if b.Tests, err = PackTarGz(work, IsTestFile); err != nil {
			return nil, err
		}
		return b, nil
	}
	return nil, fmt.Errorf("no mutation among %d tried (of %d sites) both builds and fails the tests", tried, len(sites))
}

// fixableSites keeps the sites in files that a miner's patch may change: the
// evaluator refuses any patched file that fails its source policy (imports of os,
// syscall, unsafe, ...), so a bug planted in such a file could never be fixed.
func fixableSites(work string, sites []Site, log *slog.Logger) []Site {
	module := ""
	if b, err := os.ReadFile(filepath.Join(work, "go.mod")); err == nil {
		module = modfile.ModulePath(b)
	}
	verdict := map[string]error{}
	var out []Site
	for _, s := range sites {
		err, seen := verdict[s.File]
		if !seen {
			src, rerr := os.ReadFile(filepath.Join(work, filepath.FromSlash(s.File)))
			err = rerr
			if err == nil {
				err = evaluator.CheckGoSource(s.File, src, module)
			}
			verdict[s.File] = err
			if err != nil {
				log.Info("not planting bugs in a file patches may not change", "file", s.File, "why", err)
			}
		}
		if err == nil {
			out = append(out, s)
		}
	}
	return out
}

// tryBug applies s in work; it is kept (left applied) only if the code builds, the tests
// fail, and the tests pass again once it is undone (then it is reapplied).
func tryBug(ctx context.Context, o BugfixOptions, work string, s Site) (bool, error) {
	mutated, original, err := Mutate(work, s)
	if err != nil {
		return false, err
	}
	path := filepath.Join(work, filepath.FromSlash(s.File))
	restore := func() error { return os.WriteFile(path, original, 0o644) }
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return false, err
	}
	log := o.Log.With("site", s.String())
	if ok, out, err := o.Run(ctx, work, o.BuildCmd); err != nil || !ok {
		log.Debug("mutation rejected: does not build", "err", err, "output", tail(out))
		return false, firstErr(restore(), ctxErr(ctx))
	}
	if ok, _, err := o.Run(ctx, work, o.TestCommand); err != nil || ok {
		log.Debug("mutation rejected: tests still pass (or did not run)", "err", err)
		return false, firstErr(restore(), ctxErr(ctx))
	}
	if err := restore(); err != nil {
		return false, err
	}
	if ok, out, err := o.Run(ctx, work, o.TestCommand); err != nil || !ok {
		return false, fmt.Errorf("tests fail after undoing %s (flaky tests?): %v\n%s", s, err, tail(out))
	}
	log.Info("mutation kept: builds, fails the tests, and passes without it")
	return true, os.WriteFile(path, mutated, 0o644)
}

func ctxErr(ctx context.Context) error { return ctx.Err() }

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func tail(s string) string {
	const n = 2000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
