package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Limits bound one sandboxed run. Zero fields take the DefaultLimits value.
type Limits struct {
	Wall      time.Duration // wall clock of the whole run (copy + command)
	CPU       time.Duration // RLIMIT_CPU per process (whole seconds)
	Memory    int64         // RLIMIT_AS per process, bytes
	Processes int           // RLIMIT_NPROC: tasks (processes and threads) in the sandbox
	FileSize  int64         // RLIMIT_FSIZE: largest file a process may write, bytes
	Output    int64         // captured stdout+stderr; more kills the run
	WorkBytes int64         // size of the /work tmpfs (the repository copy)
	TmpBytes  int64         // size of the /tmp tmpfs (HOME, GOCACHE, GOPATH)
}

// DefaultLimits fit `go test` of a small repository on a 2-core machine.
var DefaultLimits = Limits{
	Wall:      3 * time.Minute,
	CPU:       120 * time.Second,
	Memory:    4 << 30,
	Processes: 128,
	FileSize:  256 << 20,
	Output:    1 << 20,
	WorkBytes: 256 << 20,
	TmpBytes:  1 << 30,
}

// Resolved is l with DefaultLimits in its zero fields: the limits a run gets.
func (l Limits) Resolved() Limits { return l.withDefaults() }

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.Wall > 0 {
		d.Wall = l.Wall
	}
	if l.CPU > 0 {
		d.CPU = l.CPU
	}
	if l.Memory > 0 {
		d.Memory = l.Memory
	}
	if l.Processes > 0 {
		d.Processes = l.Processes
	}
	if l.FileSize > 0 {
		d.FileSize = l.FileSize
	}
	if l.Output > 0 {
		d.Output = l.Output
	}
	if l.WorkBytes > 0 {
		d.WorkBytes = l.WorkBytes
	}
	if l.TmpBytes > 0 {
		d.TmpBytes = l.TmpBytes
	}
	return d
}

// Config says how to sandbox. The zero value is usable: bwrap and prlimit from
// PATH, GOROOT from `go env GOROOT` (if go is installed), default limits.
type Config struct {
	Bwrap   string // path of bwrap; "" = look it up in PATH
	Prlimit string // path of prlimit inside the sandbox; "" = /usr/bin/prlimit
	GoRoot  string // bound read-only at the same path and put first in PATH; "" = detect
	// GoCacheSeed, if set, is a host directory bound read-only and copied into the
	// sandbox's GOCACHE before the command runs (a warm standard library: `go test`
	// of a small repository then compiles only the repository). It is never written.
	GoCacheSeed string
	ReadOnly    []string // more host paths bound read-only at the same path
	Mounts      []Mount  // more host paths bound read-only at another path
	Env         []string // extra KEY=VALUE for the command (after the defaults)
	// NoProc leaves /proc out of the sandbox. Code that holds no file-descriptor
	// primitives (no os, syscall or unsafe) then has no path to an inherited
	// descriptor: /dev/fd and /proc/self/fd do not resolve. The go command works
	// without /proc as long as GOROOT is set, which Run does.
	NoProc bool
	// ExtraFiles are inherited by the command as descriptors 3, 4, ... (through
	// bwrap and prlimit). The caller keeps and closes its own copies.
	ExtraFiles []*os.File
	UID, GID   int // host ids to run as when the evaluator is root; 0 = 65534
	Limits     Limits
}

// Mount binds host path Src read-only at Dst inside the sandbox (Dst absolute,
// not /src, /work or /tmp).
type Mount struct{ Src, Dst string }

// LimitHit names the limit that ended a run.
type LimitHit string

const (
	LimitNone   LimitHit = ""
	LimitWall   LimitHit = "wall"
	LimitOutput LimitHit = "output"
	LimitCPU    LimitHit = "cpu"
)

// Result is what a run produced.
type Result struct {
	ExitCode  int      // the command's exit status (-1 if killed by us)
	Output    []byte   // stdout and stderr interleaved, at most Limits.Output bytes
	Truncated bool     // output went past the cap
	Limit     LimitHit // which limit ended the run, if any
	Duration  time.Duration
}

// OK reports whether the command exited 0 with no limit hit.
func (r Result) OK() bool { return r.ExitCode == 0 && r.Limit == LimitNone }

// ErrUnavailable is returned when bwrap cannot be found or does not work.
var ErrUnavailable = errors.New("sandbox: bubblewrap (bwrap) is not available; install it with scripts/install-bwrap.sh (Debian package bubblewrap)")

// Check verifies that bwrap exists and can build this policy's sandbox on this
// machine (user namespaces allowed), by running `true` in it.
func Check(ctx context.Context, cfg Config) error {
	dir, err := os.MkdirTemp("", "sandbox-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	cfg.Limits = Limits{Wall: 30 * time.Second}
	res, err := Run(ctx, cfg, dir, "true")
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("%w: test run exited %d: %s", ErrUnavailable, res.ExitCode, strings.TrimSpace(string(res.Output)))
	}
	return nil
}

// Run copies srcDir into a fresh tmpfs inside the sandbox and runs `sh -c command`
// there. srcDir must be readable by the sandbox's uid (world-readable when the
// evaluator is root). An error means the sandbox could not be started; anything
// the command does is reported in Result.
func Run(ctx context.Context, cfg Config, srcDir, command string) (Result, error) {
	return run(ctx, cfg, srcDir, command, "")
}

// WarmGoCache runs command over srcDir with cacheDir bound writable as the
// sandbox's GOCACHE, so that cacheDir can then serve as Config.GoCacheSeed. Only
// run trusted code this way (a fixed warm-up module, a poster's unpatched
// snapshot): whatever it writes is copied into later sandboxes.
func WarmGoCache(ctx context.Context, cfg Config, cacheDir, srcDir, command string) (Result, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return Result{}, err
	}
	if os.Getuid() == 0 {
		uid, gid := sandboxIDs(cfg)
		// The whole tree: a seed copied in by root must stay writable for the run.
		err := filepath.WalkDir(cacheDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, uid, gid)
		})
		if err != nil {
			return Result{}, err
		}
	}
	cfg.GoCacheSeed = ""
	return run(ctx, cfg, srcDir, command, cacheDir)
}

func sandboxIDs(cfg Config) (int, int) {
	uid, gid := cfg.UID, cfg.GID
	if uid == 0 {
		uid = 65534
	}
	if gid == 0 {
		gid = 65534
	}
	return uid, gid
}

func run(ctx context.Context, cfg Config, srcDir, command, rwCache string) (Result, error) {
	if runtime.GOOS != "linux" {
		return Result{}, fmt.Errorf("%w: linux only", ErrUnavailable)
	}
	bw := cfg.Bwrap
	if bw == "" {
		p, err := exec.LookPath("bwrap")
		if err != nil {
			return Result{}, ErrUnavailable
		}
		bw = p
	}
	src, err := filepath.Abs(srcDir)
	if err != nil {
		return Result{}, err
	}
	for _, m := range cfg.Mounts {
		d := filepath.Clean(m.Dst)
		if !filepath.IsAbs(d) || d == "/" || d == srcMount || d == workMount || d == "/tmp" ||
			strings.HasPrefix(d, workMount+"/") || strings.HasPrefix(d, srcMount+"/") {
			return Result{}, fmt.Errorf("sandbox: mount destination %q not allowed", m.Dst)
		}
	}
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		return Result{}, fmt.Errorf("sandbox: work dir %q is not a directory", srcDir)
	}
	if cfg.GoRoot == "" {
		cfg.GoRoot = detectGoRoot()
	}
	lim := cfg.Limits.withDefaults()
	args := bwrapArgs(cfg, lim, src, command, rwCache)

	ctx, cancel := context.WithTimeout(ctx, lim.Wall)
	defer cancel()
	cmd := exec.Command(bw, args...)
	cmd.Env = []string{} // bwrap needs nothing; the command's env is set with --setenv
	cmd.Stdin = nil
	cmd.ExtraFiles = cfg.ExtraFiles
	out := newCapWriter(lim.Output)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if os.Getuid() == 0 {
		uid, gid := sandboxIDs(cfg)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	// Killing bwrap's process group kills bwrap; --die-with-parent then kills the
	// sandbox's init, and the kernel kills every process of the pid namespace.
	kill := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			kill()
		case <-out.full:
			kill()
		case <-done:
		}
	}()
	werr := cmd.Wait()
	close(done)
	res := Result{Duration: time.Since(start)}
	res.Output, res.Truncated = out.bytes()
	switch {
	case res.Truncated:
		res.Limit = LimitOutput
	case ctx.Err() != nil:
		res.Limit = LimitWall
	}
	var ee *exec.ExitError
	switch {
	case werr == nil:
		res.ExitCode = 0
	case errors.As(werr, &ee):
		res.ExitCode = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.ExitCode = -1
		}
	case errors.Is(werr, exec.ErrWaitDelay):
		res.ExitCode = -1
		if res.Limit == LimitNone {
			res.Limit = LimitWall
		}
	default:
		return res, werr
	}
	// A command killed by SIGXCPU exits 128+24 through the shells in between.
	if res.Limit == LimitNone && res.ExitCode == 128+int(syscall.SIGXCPU) {
		res.Limit = LimitCPU
	}
	return res, nil
}

func detectGoRoot() string {
	if r := os.Getenv("GOROOT"); r != "" {
		return r
	}
	p, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	// <GOROOT>/bin/go
	return filepath.Dir(filepath.Dir(p))
}
