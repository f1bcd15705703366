package evaluator

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/challenges/types"
)

// A context-selection challenge is scored without the sandbox: the runner fetches the
// answer key (the revealed "tests" archive) and submits each revealed file list's F1 in
// basis points. Key {calc.go, stats/max.go}: the exact list scores 10000,
// {README.md, calc.go, go.mod} 4000 (precision 1/3, recall 1/2), a forged non-canonical
// answer 0. A key archive that is not exactly the key file is given up.
func TestRunnerScoresContextSelection(t *testing.T) {
	dir := t.TempDir()
	key := artifact(t, dir, "key.tar.gz", tarGz(t, map[string]string{ContextKeyFile: "calc.go\nstats/max.go\n"}))
	extra := artifact(t, dir, "extra.tar.gz", tarGz(t, map[string]string{ContextKeyFile: "calc.go\n", "calc_test.go": "package calc\n"}))
	unsorted := artifact(t, dir, "unsorted.tar.gz", tarGz(t, map[string]string{ContextKeyFile: "z.go\na.go\n"}))
	cs := func(id uint64, tests Artifact) types.Challenge {
		c := chainChallenge(id, Challenge{Tests: tests})
		c.TaskType = types.TASK_TYPE_CONTEXT_SELECTION
		return c
	}
	f := &fakeChain{
		height:     10,
		challenges: map[uint64]types.Challenge{1: cs(1, key), 2: cs(2, extra), 3: cs(3, unsorted)},
		listed:     map[uint64]bool{1: true, 2: true, 3: true},
		answers: map[uint64][]types.Answer{
			1: {
				{ChallengeId: 1, NodeId: "node-a", Revealed: true, Patch: types.EncodeFileList([]string{"stats/max.go", "calc.go"})},
				{ChallengeId: 1, NodeId: "node-b", Revealed: true, Patch: []byte("README.md\ncalc.go\ngo.mod\n")},
				{ChallengeId: 1, NodeId: "node-c", Revealed: true, Patch: []byte("calc.go\ncalc.go\n")},
				{ChallengeId: 1, NodeId: "node-d", Commitment: "ab"}, // never revealed: not scored
			},
			2: {{ChallengeId: 2, NodeId: "node-a", Revealed: true, Patch: []byte("calc.go\n")}},
			3: {{ChallengeId: 3, NodeId: "node-a", Revealed: true, Patch: []byte("a.go\n")}},
		},
		submitted: map[uint64]bool{},
		reveal:    make(chan uint64, 1),
	}
	cfg := testConfig(t)
	cfg.Sandbox.Limits.Wall = time.Second // nothing runs in the sandbox
	e, err := New(cfg)
	require.NoError(t, err)
	r := NewRunner(e, f, RunnerConfig{Poll: time.Hour, MaxAttempts: 1}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	}()
	require.Eventually(t, func() bool { return len(f.sentCopy()) == 1 }, 30*time.Second, 50*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // 2 and 3 are given up, not sent
	require.Len(t, f.sentCopy(), 1)
	require.Equal(t, &types.MsgSubmitScores{Evaluator: "cor1evaluator", ChallengeId: 1, Scores: []types.MinerScore{
		{NodeId: "node-a", ScoreBps: 10_000}, {NodeId: "node-b", ScoreBps: 4_000}, {NodeId: "node-c", ScoreBps: 0},
	}}, f.sentCopy()[0])

	_, err = e.LoadContextKey(context.Background(), Challenge{ID: 2, Tests: extra})
	require.ErrorIs(t, err, ErrBadTests)
	_, err = e.LoadContextKey(context.Background(), Challenge{ID: 3, Tests: unsorted})
	require.ErrorIs(t, err, ErrBadTests)
	got, err := e.LoadContextKey(context.Background(), Challenge{ID: 1, Tests: key})
	require.NoError(t, err)
	require.Equal(t, []string{"calc.go", "stats/max.go"}, got)
}
