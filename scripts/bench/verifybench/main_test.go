package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func TestBlocksToSlash(t *testing.T) {
	cp := chainParams{AuditFractionBps: 100, AuditDeadline: 1800, VotingWindow: 3600, TasksPerBlock: 1}
	// Paid on half its tasks, caught by every audit: 1/(1·0.5·0.01·1) + 1 + 1800 + 3600.
	require.Equal(t, "5601", blocksToSlash(tally{Dishonest: 100, NotPaid: 50, Audited: 50, AuditCaught: 50}, cp))
	// Caught by half the audits doubles the wait.
	require.Equal(t, "5801", blocksToSlash(tally{Dishonest: 100, NotPaid: 50, Audited: 50, AuditCaught: 25}, cp))
	require.Equal(t, "never paid", blocksToSlash(tally{Dishonest: 10, NotPaid: 10}, cp))
	require.Equal(t, "∞ (audit never catches)", blocksToSlash(tally{Dishonest: 10, Audited: 10}, cp))
	require.Equal(t, "—", blocksToSlash(tally{}, cp))
	cp.AuditFractionBps = 0
	require.Equal(t, "∞ (audits off)", blocksToSlash(tally{Dishonest: 10, Audited: 10, AuditCaught: 1}, cp))
}

func TestCombined(t *testing.T) {
	// 60 % caught by validation, then 3 of the 4 paid ones by the audit: 0.6 + 0.4·0.75.
	require.InDelta(t, 0.9, combinedRate(tally{Dishonest: 10, NotPaid: 6, Audited: 4, AuditCaught: 3}), 1e-12)
	require.Equal(t, "90.0 %", combined(tally{Dishonest: 10, NotPaid: 6, Audited: 4, AuditCaught: 3}))
	require.Equal(t, "—", combined(tally{}))
	require.InDelta(t, 0.6, combinedRate(tally{Dishonest: 10, NotPaid: 6}), 1e-12, "no audit ran: the paid ones count as missed")
}

func TestMakeTasks(t *testing.T) {
	a := makeTasks(40, []string{"m1", "m2"}, 24, 7)
	require.Equal(t, a, makeTasks(40, []string{"m1", "m2"}, 24, 7), "deterministic in the seed")
	require.NotEqual(t, a, makeTasks(40, []string{"m1", "m2"}, 24, 8))
	greedy, chat := 0, 0
	for i, tk := range a {
		require.Equal(t, i, tk.Idx)
		require.Equal(t, []string{"m1", "m2"}[i%2], tk.Model)
		require.EqualValues(t, 24, tk.Sampling.MaxTokens)
		require.NoError(t, tk.Sampling.Validate(24))
		if tk.greedy() {
			greedy++
		} else {
			tp := tk.Sampling.Temperature.MustFloat64()
			require.True(t, tp >= 0.7 && tp <= 1, "temperature %v", tp)
		}
		if tk.PromptType == sessionstypes.PromptTypeChat {
			chat++
			require.True(t, strings.HasPrefix(tk.Prompt, "<|user|>"))
		}
	}
	require.Equal(t, 10, greedy)
	require.Equal(t, 10, chat)
	require.False(t, sampled(a[0]).greedy(), "the wrong-seed class samples every task")
	require.Len(t, randomText(50, 1), 50)
	require.Equal(t, randomText(50, 1), randomText(50, 1))
}

func TestPick(t *testing.T) {
	cs, err := pick(classes(), "honest, wrong-seed")
	require.NoError(t, err)
	require.Len(t, cs, 2)
	_, err = pick(classes(), "honest,nope")
	require.ErrorContains(t, err, `"nope"`)
	all, err := pick(classes(), "")
	require.NoError(t, err)
	require.Len(t, all, 11)
}

// A short run end to end on the demo's tiny model: honest nodes are never rejected or named,
// every cheat is caught in exact mode, and the report is written.
func TestRunSmall(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.md")
	stdout, err := os.CreateTemp(t.TempDir(), "stdout")
	require.NoError(t, err)
	defer stdout.Close()
	c := config{Tasks: 6, MaxTokens: 12, Quorum: 2, LongTokens: 64, Rounds: 1, Models: "tiny", Out: out,
		Modes: "embedding,exact", Only: "honest,copied,wrong-seed,q8_0-weights", Seed: 1, TasksPerBlock: 1}
	require.NoError(t, run(context.Background(), c, stdout))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	rep := string(b)
	require.Contains(t, rep, "| honest | embedding | ")
	require.Contains(t, rep, "honest nodes rejected by validation 0/")
	require.Contains(t, rep, "honest paid nodes named by an audit 0/")
	for _, cl := range []string{"copied", "wrong-seed", "q8_0-weights"} {
		require.Regexp(t, `\| `+cl+` \| exact \| \d+ \| (\d+)/(\d+) \(100\.0 %\) \|`, rep, cl)
	}
	require.Contains(t, rep, "| tiny--2k | 64 tokens")

	c.Modes = "nope"
	require.ErrorContains(t, run(context.Background(), c, stdout), "unknown mode")
	c.Modes, c.Tasks = "exact", 0
	require.Error(t, run(context.Background(), c, stdout))
}
