package challengeagent

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/x/challenges/types"
)

func TestIdentifiers(t *testing.T) {
	require.Equal(t, []string{"Max"}, Identifiers("A recent change broke `Max`: its results are wrong."))
	require.Equal(t, []string{"Counter", "Inc", "Sum"}, Identifiers("`*Counter.Inc` and `Sum()` misbehave"))
	// without code spans: Go-looking words (exported names, snake_case)
	require.Equal(t, []string{"Clamp", "max_len"}, Identifiers("Clamp ignores max_len when the value is large"))
	require.Empty(t, Identifiers("the tests fail"))
}

// A repository where Max is declared in one file, called from another and mentioned
// in a test and a README; Sum is declared nowhere but mentioned in one file.
var selectorRepo = map[string]string{
	"go.mod":            "module example.com/calc\n",
	"calc.go":           "package calc\n\n// Max is the largest.\nfunc Max(xs []int) int { return 0 }\n",
	"stats/stats.go":    "package stats\n\nimport \"example.com/calc\"\n\nfunc Top(xs []int) int { return calc.Max(xs) }\n",
	"stats/max_test.go": "package stats\n\nfunc Max() {}\n",
	"README.md":         "Max and Sum\n",
	"sum/notes.go":      "package sum\n\n// Sum is computed elsewhere.\nvar x = 1\n",
	".hidden/max.go":    "package hidden\n\nfunc Max() {}\n",
	"vendor/v/max.go":   "package v\n\nfunc Max() {}\n",
	"types.go":          "package calc\n\ntype Matrix struct{}\n\nfunc (m *Matrix) Scale(k int) {}\n",
}

func selectorDir(t *testing.T, statement string) string {
	dir := t.TempDir()
	for name, body := range selectorRepo {
		p := filepath.Join(dir, "repo", filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "STATEMENT.md"), []byte(statement), 0o644))
	return dir
}

// The built-in selector answers the declaring files (not callers, tests, vendored or
// hidden copies, or non-Go files); with no declaration, the files that mention the name.
func TestGrepSelector(t *testing.T) {
	ctx := context.Background()
	got, err := GrepSelector{}.Select(ctx, selectorDir(t, "A recent change broke `Max`."))
	require.NoError(t, err)
	require.Equal(t, []string{"calc.go"}, got)
	got, err = GrepSelector{}.Select(ctx, selectorDir(t, "`Matrix.Scale` scales the wrong rows"))
	require.NoError(t, err)
	require.Equal(t, []string{"types.go"}, got)
	got, err = GrepSelector{}.Select(ctx, selectorDir(t, "`Sum` is off by one"))
	require.NoError(t, err)
	require.Equal(t, []string{"sum/notes.go"}, got, "no declaration: the files that mention it")
	got, err = GrepSelector{}.Select(ctx, selectorDir(t, "`Max` and `Top` disagree"))
	require.NoError(t, err)
	require.Equal(t, []string{"calc.go", "stats/stats.go"}, got)
	got, err = GrepSelector{MaxFiles: 1}.Select(ctx, selectorDir(t, "`Max` and `Top` disagree"))
	require.NoError(t, err)
	require.Equal(t, []string{"calc.go"}, got)
	_, err = GrepSelector{}.Select(ctx, selectorDir(t, "`Nowhere` is broken"))
	require.ErrorContains(t, err, "no Go file declares or mentions Nowhere")
	_, err = GrepSelector{}.Select(ctx, selectorDir(t, "something is broken"))
	require.ErrorContains(t, err, "names no identifier")
}

// The agent answers a context-selection challenge with its selector's paths in the
// canonical encoding it commits to; an answer the chain would refuse is no answer.
func TestAgentAnswersContextSelection(t *testing.T) {
	snap := tgz(t,
		entry{name: "go.mod", typ: tar.TypeReg, body: "module example.com/calc\n"},
		entry{name: "calc.go", typ: tar.TypeReg, body: selectorRepo["calc.go"]},
		entry{name: "stats/stats.go", typ: tar.TypeReg, body: selectorRepo["stats/stats.go"]})
	path := filepath.Join(t.TempDir(), "s.tar.gz")
	require.NoError(t, os.WriteFile(path, snap, 0o644))
	c := &types.Challenge{Id: 1, TaskType: types.TASK_TYPE_CONTEXT_SELECTION,
		Snapshot:         types.Snapshot{Url: "file://" + path, Sha256: shaHex(snap), SizeBytes: uint64(len(snap))},
		ProblemStatement: "A recent change broke `Top`: its results are wrong for some inputs."}

	a, s := testAgent(t, fetch.Options{AllowLocal: true})
	answer, err := a.makePatch(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, "stats/stats.go\n", string(answer))
	require.Empty(t, s.gomod, "the patch solver is not asked")
	tt, err := os.ReadFile(filepath.Join(a.cfg.StateDir, "challenge-1", "TASK_TYPE"))
	require.NoError(t, err)
	require.Equal(t, "context-selection\n", string(tt))

	// an agent program: paths on its output, unsorted, repeated, blank lines
	a.cfg.Selector = Program{Path: writeScript(t, `test "$CHALLENGE_TYPE" = context-selection || exit 3
printf 'stats/stats.go\n\ncalc.go\ncalc.go\n'`), Timeout: 10e9, MaxOutput: 4096}
	answer, err = a.makePatch(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, "calc.go\nstats/stats.go\n", string(answer))
	// or in $CHALLENGE_ANSWER
	a.cfg.Selector = Program{Path: writeScript(t, `echo go.mod >"$CHALLENGE_ANSWER"; echo ignored`), Timeout: 10e9, MaxOutput: 4096}
	answer, err = a.makePatch(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, "go.mod\n", string(answer))
	// paths the chain refuses, or none
	for _, bad := range []string{`echo ../etc/passwd`, `echo /abs.go`, `true`} {
		a.cfg.Selector = Program{Path: writeScript(t, bad), Timeout: 10e9, MaxOutput: 4096}
		_, err = a.makePatch(context.Background(), c)
		require.ErrorIs(t, err, types.ErrInvalidFileList, bad)
	}
}
