package challenger

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/challengeagent"
	"github.com/cortnet/cortd/sidecar/evaluator"
	"github.com/cortnet/cortd/x/challenges/types"
)

// A context-selection challenge comes from a planted bug: the key is the mutated file,
// kept in the hidden "tests" archive; the snapshot is the buggy repository without its
// tests; the statement names the broken function, never the file. The reference agent's
// selector finds the file from the statement alone, and scores 10000 against the key.
func TestMakeContextSelection(t *testing.T) {
	goAvailable(t)
	if testing.Short() {
		t.Skip("runs go test several times")
	}
	repo := writeRepo(t)
	// a second file the tests do not cover: a mutation there is never kept
	require.NoError(t, os.WriteFile(filepath.Join(repo, "extra.go"),
		[]byte("package sample\n\n// Double doubles x.\nfunc Double(x int) int { return 2 * x }\n"), 0o644))
	cs, err := MakeContextSelection(context.Background(), BugfixOptions{Repo: repo, Seed: 7})
	require.NoError(t, err)
	require.Equal(t, []string{"sum.go"}, cs.Key)
	require.Equal(t, map[string]string{evaluator.ContextKeyFile: "sum.go\n"}, untar(t, cs.Tests))

	ch := cs.Challenge()
	require.Equal(t, types.TASK_TYPE_CONTEXT_SELECTION, ch.TaskType)
	require.Empty(t, ch.TestCommand, "no tests run")
	require.Empty(t, ch.ContextPaths, "the context paths would give the answer away")
	require.NotContains(t, ch.Statement, "sum.go")
	require.NotContains(t, ch.Statement, ".go")
	fn := cs.Bug.Site.Func
	if i := strings.LastIndex(fn, "."); i >= 0 {
		fn = fn[i+1:]
	}
	require.Contains(t, ch.Statement, fn)
	snap := untar(t, ch.Snapshot)
	require.ElementsMatch(t, []string{"extra.go", "go.mod", "sum.go"}, keys(snap))
	require.NotEqual(t, sampleFiles["sum.go"], snap["sum.go"], "the snapshot holds the bug")
	p := types.DefaultParams()
	m := &types.MsgPostChallenge{TaskType: ch.TaskType, ProblemStatement: ch.Statement, ContextPaths: ch.ContextPaths,
		Checklist: ch.Checklist, TestCommand: ch.TestCommand,
		Snapshot:        types.Snapshot{Url: "https://example.org/s.tar.gz", Sha256: strings.Repeat("ab", 32), SizeBytes: 1},
		TestsCommitment: strings.Repeat("cd", 32), MinMiners: 1, MaxMiners: 1,
		ResponseWindowBlocks: p.MinResponseWindowBlocks, EvaluationWindowBlocks: p.MinEvaluationWindowBlocks}
	require.NoError(t, m.ValidatePost(p), "the chain accepts the challenge")

	// the miner's side: the snapshot and the statement, nothing else
	work := t.TempDir()
	for name, body := range snap {
		p := filepath.Join(work, "repo", name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(work, "STATEMENT.md"), []byte(ch.Statement), 0o644))
	got, err := challengeagent.GrepSelector{}.Select(context.Background(), work)
	require.NoError(t, err)
	require.Equal(t, cs.Key, got)
	o := evaluator.ScoreContextAnswer(cs.Key, types.EncodeFileList(got))
	require.Equal(t, uint32(10_000), o.ScoreBps)

	// same seed, same challenge
	again, err := MakeContextSelection(context.Background(), BugfixOptions{Repo: repo, Seed: 7})
	require.NoError(t, err)
	require.Equal(t, cs.Tests, again.Tests)
	require.Equal(t, ch, again.Challenge())
}
