package evaluator

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEvaluatorScoresPatches(t *testing.T) {
	requireSandbox(t)
	ctx := context.Background()
	p := prepareCalc(t, testConfig(t))
	// The bug fails TestMaxOrder only; the hidden tests are what counts.
	require.Equal(t, 2, p.BaselinePassed)
	require.Equal(t, []string{"TestMaxOrder", "TestMaxEqual", "TestSum"}, testNames(p.Tests))

	wrongCalc := strings.Replace(buggyCalc, "s += x", "s += x + 1", 1) // fixes nothing, breaks Sum
	cases := []struct {
		name   string
		patch  []byte
		score  uint32
		reason string
	}{
		{"right fix", replacePatch("calc.go", buggyCalc, goodCalc), 10000, "scored"},
		{"wrong fix", replacePatch("calc.go", buggyCalc, wrongCalc), 3333, "scored"},
		{"does not apply", replacePatch("calc.go", goodCalc, buggyCalc), 0, "patch does not apply"},
		{"does not parse", replacePatch("calc.go", buggyCalc, strings.Replace(goodCalc, "return b", "return b +", 1)), 0,
			"patch refused by the source policy: calc.go does not parse: calc.go:9:1: expected operand, found '}' (and 1 more errors)"},
		{"does not compile", replacePatch("calc.go", buggyCalc, strings.Replace(goodCalc, "return b", `return b + "x"`, 1)), 0, "scored"},
		{"empty", []byte("  \n"), 0, ErrEmptyPatch.Error()},
		{"not a diff", []byte("please fix it yourself\n"), 0, "malformed patch: no file headers"},
		{"touches a hidden test", replacePatch("calc_test.go", calcTests, "package calc\n"), 0, "patch touches test files: calc_test.go"},
		{"adds a test file", []byte("diff --git a/x_test.go b/x_test.go\nnew file mode 100644\n--- /dev/null\n+++ b/x_test.go\n@@ -0,0 +1 @@\n+package calc\n"), 0, "patch touches test files: x_test.go"},
		{"symlink", []byte("diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+/etc\n\\ No newline at end of file\n"), 0, ErrSymlinkPatch.Error()},
		{"path traversal", []byte("--- a/../x.go\n+++ b/../x.go\n@@ -1 +1 @@\n-a\n+b\n"), 0, `malformed patch: path "../x.go" leaves the root`},
		{"changes go.mod", []byte("diff --git a/go.mod b/go.mod\n--- a/go.mod\n+++ b/go.mod\n@@ -1,3 +1,4 @@\n module example.com/calc\n \n go 1.22\n+replace example.com/x => /etc\n"), 0,
			"patch refused by the source policy: go.mod is not a Go source file (a patch changes .go files only)"},
		{"too large", append(replacePatch("calc.go", buggyCalc, goodCalc), make([]byte, 1<<20)...), 0,
			fmt.Sprintf("patch too large: %d bytes > 1048576", len(replacePatch("calc.go", buggyCalc, goodCalc))+1<<20)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := p.Score(ctx, tc.patch)
			require.Equal(t, tc.reason, o.Reason, "%+v", o)
			require.Equal(t, tc.score, o.ScoreBps, "%+v", o)
		})
	}
}

func TestPrepareRejectsBadArtifacts(t *testing.T) {
	requireSandbox(t)
	ctx := context.Background()
	e, err := New(testConfig(t))
	require.NoError(t, err)
	good := calcChallenge(t)

	badSum := good
	badSum.Tests.SHA256 = strings.Repeat("0", 64)
	_, err = e.Prepare(ctx, badSum)
	require.ErrorContains(t, err, "tests: data checksum mismatch")

	big := good
	big.Snapshot.Size = 65<<20 + 1
	_, err = e.Prepare(ctx, big)
	require.ErrorContains(t, err, "snapshot: data larger than claimed")

	// Over http(s) too: a server sending more than the claimed size is cut off.
	snap, err := os.ReadFile(strings.TrimPrefix(good.Snapshot.URL, "file://"))
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(snap)
		_, _ = w.Write(make([]byte, 1<<20))
	}))
	defer srv.Close()
	overHTTP := good
	overHTTP.Snapshot.URL = srv.URL + "/snapshot.tar.gz"
	_, err = e.Prepare(ctx, overHTTP)
	require.ErrorContains(t, err, "snapshot: data larger than claimed")

	dir := t.TempDir()
	evil := good
	evil.Snapshot = artifact(t, dir, "evil.tar.gz", tarGz(t, map[string]string{"../escape.go": "package x\n"}))
	_, err = e.Prepare(ctx, evil)
	require.ErrorIs(t, err, ErrBadArchive)
	require.NoFileExists(t, dir+"/../escape.go")
}

func TestNewChecksTheWorkRootIsReachable(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("only root runs the sandbox as another uid")
	}
	private := t.TempDir() // 0700
	_, err := New(Config{WorkRoot: filepath.Join(private, "evaluator")})
	require.ErrorContains(t, err, "not searchable by other users")
	// The default work root falls back to the temp dir for such a home.
	root := DefaultWorkRoot(private)
	require.True(t, strings.HasPrefix(root, os.TempDir()), root)
	_, err = New(Config{WorkRoot: root})
	require.NoError(t, err)
	require.NoError(t, os.RemoveAll(root))
	open := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(open), 0o755))
	require.NoError(t, os.Chmod(open, 0o755))
	require.Equal(t, filepath.Join(open, "evaluator"), DefaultWorkRoot(open))
}

func testNames(ts []HiddenTest) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}
