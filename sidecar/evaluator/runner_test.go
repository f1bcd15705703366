package evaluator

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/challenges/types"
)

// fakeChain serves challenges from memory and records submissions.
type fakeChain struct {
	mu         sync.Mutex
	height     int64
	challenges map[uint64]types.Challenge
	listed     map[uint64]bool // returned by Evaluating (others only by id)
	answers    map[uint64][]types.Answer
	submitted  map[uint64]bool // already on chain before the runner starts
	sent       []*types.MsgSubmitScores
	reveal     chan uint64
}

func (f *fakeChain) Height(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.height, nil
}

func (f *fakeChain) Evaluating(context.Context) ([]types.Challenge, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []types.Challenge
	for id, c := range f.challenges {
		if f.listed[id] {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeChain) Challenge(_ context.Context, id uint64) (types.Challenge, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.challenges[id]
	if !ok {
		return c, fmt.Errorf("challenge %d not found", id)
	}
	return c, nil
}

func (f *fakeChain) Answers(_ context.Context, id uint64) ([]types.Answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.answers[id], nil
}

func (f *fakeChain) Submitted(_ context.Context, id uint64, _ string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.submitted[id], nil
}

func (f *fakeChain) SubmitScores(_ context.Context, m *types.MsgSubmitScores) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeChain) Watch(ctx context.Context, onReveal func(uint64), onGap func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-f.reveal:
			onReveal(id)
		}
	}
}

func (f *fakeChain) Address() string { return "cor1evaluator" }

func (f *fakeChain) sentCopy() []*types.MsgSubmitScores {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*types.MsgSubmitScores(nil), f.sent...)
}

func chainChallenge(id uint64, c Challenge) types.Challenge {
	return types.Challenge{Id: id, Status: types.CHALLENGE_STATUS_EVALUATING, EvaluationEndHeight: 1000,
		Snapshot: types.Snapshot{Url: c.Snapshot.URL, Sha256: c.Snapshot.SHA256, SizeBytes: c.Snapshot.Size},
		TestsUrl: c.Tests.URL, TestsSha256: c.Tests.SHA256, TestsSizeBytes: c.Tests.Size, TestCommand: c.TestCommand}
}

func TestRunnerScoresEachChallengeOnce(t *testing.T) {
	requireSandbox(t)
	ch := calcChallenge(t)
	badTests := ch
	badTests.Tests.SHA256 = strings.Repeat("a", 64)
	right := replacePatch("calc.go", buggyCalc, goodCalc)
	wrong := replacePatch("calc.go", buggyCalc, strings.Replace(buggyCalc, "s += x", "s += x + 1", 1))
	noApply := replacePatch("calc.go", goodCalc, buggyCalc)
	f := &fakeChain{
		height: 10,
		challenges: map[uint64]types.Challenge{
			7: chainChallenge(7, ch), 8: chainChallenge(8, badTests), 9: chainChallenge(9, ch),
			10: chainChallenge(10, ch), 11: chainChallenge(11, ch),
		},
		listed: map[uint64]bool{7: true, 8: true, 9: true, 11: true},
		answers: map[uint64][]types.Answer{
			7: {
				{ChallengeId: 7, NodeId: "node-a", Revealed: true, Patch: right},
				{ChallengeId: 7, NodeId: "node-b", Revealed: true, Patch: wrong},
				{ChallengeId: 7, NodeId: "node-c", Revealed: true, Patch: noApply},
				{ChallengeId: 7, NodeId: "node-d", Commitment: "ab"}, // committed, never revealed: not scored
			},
			8:  {{ChallengeId: 8, NodeId: "node-a", Revealed: true, Patch: right}},
			9:  {{ChallengeId: 9, NodeId: "node-a", Revealed: true, Patch: right}},
			10: {{ChallengeId: 10, NodeId: "node-x", Revealed: true, Patch: wrong}},
			11: {{ChallengeId: 11, NodeId: "node-y", Revealed: true, Patch: right}},
		},
		submitted: map[uint64]bool{9: true},
		reveal:    make(chan uint64, 4),
	}
	// 11 is too close to its evaluation end to start.
	c11 := f.challenges[11]
	c11.EvaluationEndHeight = 11
	f.challenges[11] = c11

	e, err := New(testConfig(t))
	require.NoError(t, err)
	r := NewRunner(e, f, RunnerConfig{Poll: time.Hour, MaxAttempts: 1}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	}()

	// The first scan (the polling backstop) scores 7 and gives 8 up (bad tests
	// archive); 9 was already scored by this evaluator, 11 is too late.
	require.Eventually(t, func() bool { return len(f.sentCopy()) == 1 }, 3*time.Minute, 100*time.Millisecond)
	require.Equal(t, &types.MsgSubmitScores{Evaluator: "cor1evaluator", ChallengeId: 7, Scores: []types.MinerScore{
		{NodeId: "node-a", ScoreBps: 10000}, {NodeId: "node-b", ScoreBps: 3333}, {NodeId: "node-c", ScoreBps: 0},
	}}, f.sentCopy()[0])

	// 10 is not listed by the scan: only its tests-revealed event brings it in.
	// A repeated event for 7 is ignored.
	f.reveal <- 7
	f.reveal <- 10
	require.Eventually(t, func() bool { return len(f.sentCopy()) == 2 }, 2*time.Minute, 100*time.Millisecond)
	require.Equal(t, &types.MsgSubmitScores{Evaluator: "cor1evaluator", ChallengeId: 10,
		Scores: []types.MinerScore{{NodeId: "node-x", ScoreBps: 3333}}}, f.sentCopy()[1])
	r.poke(0) // another scan submits nothing new
	time.Sleep(500 * time.Millisecond)
	require.Len(t, f.sentCopy(), 2)

	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/healthz")
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	res.Body.Close()
	res, err = srv.Client().Get(srv.URL + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := string(body)
	require.Contains(t, m, `cortd_evaluator_patches_evaluated_total{outcome="scored"} 3`)
	require.Contains(t, m, `cortd_evaluator_patches_evaluated_total{outcome="not_applied"} 1`)
	require.Contains(t, m, "cortd_evaluator_challenges_scored_total 2")
	require.Contains(t, m, "cortd_evaluator_prepare_failures_total 1")
	require.Contains(t, m, `cortd_evaluator_challenges_skipped_total{reason="already_submitted"} 1`)
	require.Contains(t, m, `cortd_evaluator_challenges_skipped_total{reason="gave_up"} 1`)
	require.Contains(t, m, `cortd_evaluator_challenges_skipped_total{reason="too_late"} 1`)
}

// Issue 17 item 4: sixteen patches that sleep must not void a challenge. With
// the old runner (one patch at a time, three minutes each) they pushed scoring
// past the evaluation end; now the patches run in parallel under a budget that
// fits the window, and the two honest patches are scored in time even though
// they are the largest (scheduled last).
func TestRunnerScoresHonestPatchesDespiteSleepers(t *testing.T) {
	requireSandbox(t)
	ch := calcChallenge(t)
	const window = 60 // blocks (1 s each, as the runner assumes until it sees blocks)
	c := chainChallenge(7, ch)
	c.EvaluationEndHeight = 10 + window
	sleeper := replacePatch("calc.go", buggyCalc, hostileCalc(`"time"`, "time.Sleep(time.Hour)\n\treturn true"))
	// The honest fixes carry a comment that makes them the largest patches.
	right := replacePatch("calc.go", buggyCalc, goodCalc+"\n// "+strings.Repeat("fix ", 200)+"\n")
	wrong := replacePatch("calc.go", buggyCalc, strings.Replace(buggyCalc, "s += x", "s += x + 1", 1)+"\n// "+strings.Repeat("fix ", 200)+"\n")
	require.Greater(t, len(wrong), len(sleeper))
	var answers []types.Answer
	for i := range 16 {
		answers = append(answers, types.Answer{ChallengeId: 7, NodeId: fmt.Sprintf("node-s%02d", i), Revealed: true, Patch: sleeper})
	}
	answers = append(answers,
		types.Answer{ChallengeId: 7, NodeId: "node-right", Revealed: true, Patch: right},
		types.Answer{ChallengeId: 7, NodeId: "node-wrong", Revealed: true, Patch: wrong})
	f := &fakeChain{height: 10, challenges: map[uint64]types.Challenge{7: c}, listed: map[uint64]bool{7: true},
		answers: map[uint64][]types.Answer{7: answers}, submitted: map[uint64]bool{}, reveal: make(chan uint64, 1)}

	cfg := testConfig(t)
	cfg.Sandbox.Limits.Wall = 3 * time.Minute // what a sleeper would take on the old runner
	e, err := New(cfg)
	require.NoError(t, err)
	r := NewRunner(e, f, RunnerConfig{Poll: time.Hour, MaxAttempts: 1, Parallel: 2, QuickWall: 4 * time.Second}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	}()
	require.Eventually(t, func() bool { return len(f.sentCopy()) == 1 }, window*time.Second, 200*time.Millisecond,
		"no scores within the evaluation window")
	took := time.Since(start)
	t.Logf("18 patches (16 sleeping) scored in %s", took.Round(time.Millisecond))
	// The runner sends by the evaluation end less the margin and one block (57 s
	// here); the second pass re-runs the sleepers with the full wall until then.
	require.Less(t, took, time.Duration(window-1)*time.Second, "scores must be sent before the evaluation end")
	got := map[string]uint32{}
	for _, s := range f.sentCopy()[0].Scores {
		got[s.NodeId] = s.ScoreBps
	}
	require.Len(t, got, 18)
	require.Equal(t, uint32(10000), got["node-right"])
	require.Equal(t, uint32(3333), got["node-wrong"])
	for i := range 16 {
		require.Zero(t, got[fmt.Sprintf("node-s%02d", i)])
	}
}

func TestBlockClock(t *testing.T) {
	var b blockClock
	t0 := time.Unix(1000, 0)
	require.Equal(t, time.Second, b.observe(10, t0, time.Second))
	require.Equal(t, time.Second, b.observe(12, t0.Add(10*time.Second), time.Second)) // 2 blocks: not enough
	require.Equal(t, 5*time.Second, b.observe(14, t0.Add(20*time.Second), time.Second))
}
