package evaluator

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/sidecar/sandbox"
)

// requireSandbox fails (never silently skips) when bwrap cannot run, unless
// CORTD_SKIP_SANDBOX=1 says to skip.
func requireSandbox(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sandbox.Check(ctx, sandbox.Config{}); err != nil {
		if os.Getenv("CORTD_SKIP_SANDBOX") == "1" {
			t.Skipf("CORTD_SKIP_SANDBOX=1: %v", err)
		}
		t.Fatalf("%v\n(install bubblewrap with scripts/install-bwrap.sh, or set CORTD_SKIP_SANDBOX=1 to skip sandbox tests)", err)
	}
}

// The repository of the tests: like the e2e's, a small Go module with a bug
// (Max is inverted) and three hidden tests, two of which pass on the bug.
const (
	goodCalc = `package calc

// Max returns the larger of a and b.
func Max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Sum adds xs.
func Sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
`
	calcTests = `package calc

import "testing"

func TestMaxOrder(t *testing.T) {
	if Max(1, 2) != 2 || Max(5, 3) != 5 {
		t.Fatal("Max picks the wrong value")
	}
}

func TestMaxEqual(t *testing.T) {
	if Max(3, 3) != 3 {
		t.Fatal("Max(3, 3)")
	}
}

func TestSum(t *testing.T) {
	if Sum([]int{1, 2, 3}) != 6 {
		t.Fatal("Sum")
	}
}
`
)

var buggyCalc = strings.Replace(goodCalc, "a > b", "a < b", 1)

func tarGz(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: 0o644, Size: int64(len(files[n]))}))
		_, err := tw.Write([]byte(files[n]))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

// artifact writes b to dir and names it by file URL, sha256 and size.
func artifact(t testing.TB, dir, name string, b []byte) Artifact {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	sum := sha256.Sum256(b)
	return Artifact{URL: "file://" + p, SHA256: hex.EncodeToString(sum[:]), Size: uint64(len(b))}
}

func calcChallenge(t testing.TB) Challenge {
	dir := t.TempDir()
	return Challenge{
		ID:          7,
		Snapshot:    artifact(t, dir, "snapshot.tar.gz", tarGz(t, map[string]string{"go.mod": "module example.com/calc\n\ngo 1.22\n", "calc.go": buggyCalc})),
		Tests:       artifact(t, dir, "tests.tar.gz", tarGz(t, map[string]string{"calc_test.go": calcTests})),
		TestCommand: "go test ./...",
	}
}

// replacePatch is a git-style diff that replaces file's whole content.
func replacePatch(file, old, new string) []byte {
	ol := strings.Split(strings.TrimSuffix(old, "\n"), "\n")
	nl := strings.Split(strings.TrimSuffix(new, "\n"), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,%d +1,%d @@\n", file, file, file, file, len(ol), len(nl))
	for _, l := range ol {
		b.WriteString("-" + l + "\n")
	}
	for _, l := range nl {
		b.WriteString("+" + l + "\n")
	}
	return []byte(b.String())
}

// prepareCalc prepares the calc challenge with cfg (the evaluator's Prepare, as
// the role does it) and closes it when the test ends.
func prepareCalc(tb testing.TB, cfg Config) *Prepared {
	tb.Helper()
	e, err := New(cfg)
	require.NoError(tb, err)
	p, err := e.Prepare(context.Background(), calcChallenge(tb))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = p.Close() })
	return p
}

// testStdCache keeps the warmed standard-library cache between test runs (it is
// only a build cache, and the marker file says it is complete).
func testConfig(t testing.TB) Config {
	root := t.TempDir()
	// t.TempDir's parent is 0700; the sandbox's uid (65534 when root) must reach root.
	require.NoError(t, os.Chmod(filepath.Dir(root), 0o755))
	return Config{
		WorkRoot:    root,
		StdCacheDir: filepath.Join(os.TempDir(), "cortd-evaluator-test-gocache"),
		// The artifacts are file:// URLs and loopback servers.
		Fetch: fetch.Options{AllowLocal: true},
		Sandbox: sandbox.Config{Limits: sandbox.Limits{
			Wall: 90 * time.Second, CPU: 60 * time.Second, Output: 256 << 10,
		}},
	}
}
