package evaluator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/cortnet/cortd/sidecar/sandbox"
)

// warmModule is a fixed, trusted module whose `go test` compiles the standard
// packages most test suites use, so the first challenge does not pay for
// compiling them (about a minute on 2 cores) in every sandbox.
var warmModule = map[string]string{
	"go.mod": "module cortd.local/warm\n\ngo 1.22\n",
	"warm.go": `package warm

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

var _ = []any{bytes.NewReader, errors.New, fmt.Sprint, math.Abs, os.Getenv, sort.Ints,
	strconv.Itoa, strings.Cut, sync.Mutex{}, time.Now, unicode.IsLetter}

func Add(a, b int) int { return a + b }
`,
	"warm_test.go": `package warm

import "testing"

func TestAdd(t *testing.T) {
	if Add(1, 2) != 3 {
		t.Fatal("add")
	}
}
`,
}

const warmDoneFile = "cortd-warm-done"

func (e *Evaluator) stdCache() string { return e.cfg.StdCacheDir }

// warmStd builds the shared standard-library cache once (kept across restarts:
// a marker file says it is complete).
func (e *Evaluator) warmStd(ctx context.Context) error {
	e.warmOnce.Do(func() { e.warmErr = e.doWarm(ctx) })
	return e.warmErr
}

// WarmUp builds the shared build cache now (the role calls it at start so the
// first challenge is not delayed).
func (e *Evaluator) WarmUp(ctx context.Context) error { return e.warmStd(ctx) }

func (e *Evaluator) doWarm(ctx context.Context) error {
	cache := e.stdCache()
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		return err
	}
	// Several evaluators (or test processes) may share one cache: one warms it,
	// the others wait on the lock and then find the marker.
	lock, err := os.OpenFile(cache+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it anyway
	if _, err := os.Stat(filepath.Join(cache, warmDoneFile)); err == nil {
		return nil
	}
	if err := os.RemoveAll(cache); err != nil {
		return err
	}
	src, err := os.MkdirTemp(e.cfg.WorkRoot, "warm-src-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	if err := os.Chmod(src, 0o755); err != nil {
		return err
	}
	for name, body := range warmModule {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	cfg := e.cfg.Sandbox
	cfg.Limits.Wall = max(cfg.Limits.Wall, 10*time.Minute)
	cfg.Limits.CPU = max(cfg.Limits.CPU, 10*time.Minute)
	start := time.Now()
	res, err := sandbox.WarmGoCache(ctx, cfg, cache, src, "go test ./...")
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("evaluator: warming the Go build cache failed (exit %d, limit %q): %s",
			res.ExitCode, res.Limit, tail(res.Output, 2000))
	}
	e.log.Info("Go build cache warmed", "dir", cache, "seconds", time.Since(start).Seconds())
	return os.WriteFile(filepath.Join(cache, warmDoneFile), nil, 0o644)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
