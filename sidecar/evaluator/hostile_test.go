package evaluator

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/sandbox"
)

// hostileCalc is calc.go whose Max and Sum are right only when hostile() — an
// attack on the host — succeeded, so a contained attack scores 0 and an escape
// would score 10000.
func hostileCalc(imports, body string) string {
	return `package calc

import (
` + imports + `
)

var ok = hostile()

func hostile() bool {
` + body + `
}

func Max(a, b int) int {
	if !ok {
		return -1
	}
	if a > b {
		return a
	}
	return b
}

func Sum(xs []int) int {
	if !ok {
		return -1
	}
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
`
}

// snapshotTree reads every file under dir (path → content).
func snapshotTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = string(b)
		}
		return nil
	}))
	return out
}

// processesWith counts host processes whose command line contains marker.
func processesWith(marker string) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), marker) {
			n++
		}
	}
	return n
}

func TestHostilePatchesScoreZero(t *testing.T) {
	requireSandbox(t)
	ctx := context.Background()

	// A fake validator home with a keyring: the evaluator runs with HOME there,
	// and every file is world-readable and -writable, so only the sandbox's
	// mount namespace protects it.
	home := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(home), 0o755))
	keyDir := filepath.Join(home, ".cortd", "keyring-test")
	require.NoError(t, os.MkdirAll(keyDir, 0o777))
	for _, d := range []string{home, filepath.Join(home, ".cortd"), keyDir} {
		require.NoError(t, os.Chmod(d, 0o777))
	}
	keyFile := filepath.Join(keyDir, "validator.info")
	const secret = "CANARY-SECRET-KEY"
	require.NoError(t, os.WriteFile(keyFile, []byte(secret), 0o666))
	require.NoError(t, os.Chmod(keyFile, 0o666))
	t.Setenv("HOME", home)
	before := snapshotTree(t, home)

	// A listener on the host's loopback: no sandboxed code may reach it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()

	marker := fmt.Sprintf("cortd-hostile-%d", time.Now().UnixNano())
	hostTmpFile := filepath.Join(os.TempDir(), marker)

	cfg := testConfig(t)
	cfg.Sandbox.Limits = sandbox.Limits{Wall: 45 * time.Second, CPU: 10 * time.Second, Output: 256 << 10, Processes: 128}
	p := prepareCalc(t, cfg)

	cases := []struct {
		name, imports, body string
		limits              []sandbox.LimitHit // acceptable limits hit (none if empty)
	}{
		{"reads the keyring and home", `"os"; "path/filepath"`, fmt.Sprintf(`
	b, err := os.ReadFile(%q)
	if err == nil && string(b) == %q {
		return true
	}
	h, _ := os.UserHomeDir()
	if _, err := os.ReadDir(filepath.Join(h, ".cortd", "keyring-test")); err == nil {
		return true
	}
	_, err = os.ReadDir("/root")
	return err == nil`, keyFile, secret), nil},
		{"opens a network socket", `"net"; "time"`, fmt.Sprintf(`
	c, err := net.DialTimeout("tcp", %q, 2*time.Second)
	if err != nil {
		return false
	}
	c.Write([]byte("leak"))
	c.Close()
	return true`, ln.Addr().String()), nil},
		{"forks without bound", `"os/exec"`, fmt.Sprintf(`
	n := 0
	for i := 0; i < 5000; i++ {
		if exec.Command("/bin/sh", "-c", "sleep 3600; echo %s").Start() != nil {
			break
		}
		n++
	}
	return n == 5000`, marker), []sandbox.LimitHit{sandbox.LimitNone, sandbox.LimitWall, sandbox.LimitCPU}},
		{"writes outside its work dir", `"os"; "path/filepath"`, fmt.Sprintf(`
	escaped := false
	for _, f := range []string{%q, %q, "/usr/cortd-pwned", "/etc/cortd-pwned", "/src/cortd-pwned"} {
		if os.WriteFile(f, []byte("pwned"), 0o644) == nil {
			escaped = true
		}
	}
	h, _ := os.UserHomeDir()
	os.WriteFile(filepath.Join(h, "pwned"), []byte("pwned"), 0o644) // the sandbox's own tmpfs home
	os.WriteFile(%q, []byte("pwned"), 0o644)                        // the sandbox's own /tmp
	return escaped`, keyFile, filepath.Join(keyDir, "new.info"), hostTmpFile), nil},
		{"loops forever", `"time"`, `
	for time.Now().Unix() > 0 {
	}
	return true`, []sandbox.LimitHit{sandbox.LimitWall, sandbox.LimitCPU, sandbox.LimitNone}},
		{"prints gigabytes", `"bytes"; "os"`, `
	line := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 4096; i++ {
		os.Stdout.Write(line)
	}
	return true`, []sandbox.LimitHit{sandbox.LimitOutput}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			patch := replacePatch("calc.go", buggyCalc, hostileCalc(tc.imports, tc.body))
			// The source policy refuses every one that imports a capability
			// before anything runs ...
			if !strings.HasPrefix(tc.name, "loops forever") {
				o := p.Score(ctx, patch)
				require.Zero(t, o.ScoreBps, "%+v", o)
				require.Contains(t, o.Reason, ErrPolicy.Error(), "%+v", o)
			}
			// ... and the sandbox contains them by itself.
			p.skipSourcePolicy = true
			defer func() { p.skipSourcePolicy = false }()
			start := time.Now()
			o := p.Score(ctx, patch)
			t.Logf("%s: %+v (%.1fs)", tc.name, o, time.Since(start).Seconds())
			require.Zero(t, o.ScoreBps, "%+v", o)
			require.Zero(t, o.Passed, "%+v", o)
			if tc.limits == nil {
				require.Equal(t, sandbox.LimitNone, o.Limit, "%+v", o)
				require.Equal(t, "scored", o.Reason, "the tests ran and failed: %+v", o)
			} else {
				require.Contains(t, tc.limits, o.Limit, "%+v", o)
			}
			// The host is unchanged.
			require.Equal(t, before, snapshotTree(t, home))
			require.NoFileExists(t, hostTmpFile)
			require.NoFileExists(t, "/usr/cortd-pwned")
			require.NoFileExists(t, "/etc/cortd-pwned")
			require.Zero(t, accepted.Load(), "a sandboxed patch reached the host's loopback")
			require.Eventually(t, func() bool { return processesWith(marker) == 0 }, 10*time.Second, 100*time.Millisecond,
				"processes of the patch outlived the sandbox")
		})
	}

	// The evaluator is still up and scores an honest patch.
	o := p.Score(ctx, replacePatch("calc.go", buggyCalc, goodCalc))
	require.Equal(t, uint32(10000), o.ScoreBps, "%+v", o)
}
