package miner

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// countingEngine is detEngine counting its runs; with gate set, each completion
// waits for a value on it.
type countingEngine struct {
	detEngine
	completes, embeds atomic.Int64
	gate              chan struct{}
}

func (e *countingEngine) Complete(ctx context.Context, model, prompt string, p engine.Params) (engine.Completion, error) {
	e.completes.Add(1)
	if e.gate != nil {
		select {
		case <-e.gate:
		case <-ctx.Done():
			return engine.Completion{}, ctx.Err()
		}
	}
	return e.detEngine.Complete(ctx, model, prompt, p)
}

func (e *countingEngine) Embed(ctx context.Context, model string, texts []string) ([][]float32, engine.Usage, error) {
	e.embeds.Add(1)
	return e.detEngine.Embed(ctx, model, texts)
}

// speculatingMiner is a test miner serving "tiny" (embedding size 8) with a
// speculator whose chain reads answer from sessions.
func speculatingMiner(t *testing.T, e engine.Engine, sessions map[uint64]specSession) *Miner {
	t.Helper()
	m := testMiner(t, nil)
	m.e = e
	m.served = []string{"tiny"}
	m.spec = newSpeculator(m)
	m.spec.readSession = func(_ context.Context, id uint64) (specSession, error) {
		s, ok := sessions[id]
		if !ok {
			return specSession{}, errors.New("not found")
		}
		s.known = true
		return s, nil
	}
	m.spec.readDim = func(_ context.Context, model string) (uint32, error) { return 8, nil }
	return m
}

// assignedAs is the task the chain makes of sub on session sess (as
// SubmitTask builds it), assigned to n1 with the given id.
func assignedAs(id uint64, sub *sessionstypes.MsgSubmitTask, sess specSession) sessionstypes.Task {
	return sessionstypes.Task{Id: id, SessionId: sub.SessionId, ModelId: sess.model, EmbeddingDim: 8,
		Prompt: sub.Prompt, PromptType: sub.PromptType, Sampling: sub.SamplingParams(), Status: sessionstypes.TASK_STATUS_PRECOMMIT,
		Assignments: []sessionstypes.Assignment{{NodeId: "n1", Status: sessionstypes.ASSIGNMENT_STATUS_ASSIGNED}}}
}

func testSubmit(session uint64, prompt, promptType string) *sessionstypes.MsgSubmitTask {
	return &sessionstypes.MsgSubmitTask{Owner: sdk.AccAddress(make([]byte, 20)).String(), SessionId: session, Prompt: prompt,
		PromptType: promptType, MaxTokens: 8, Temperature: sdkmath.LegacyMustNewDecFromStr("0.7"), TopP: sdkmath.LegacyOneDec()}
}

// runSpeculation starts n speculative workers until the test ends.
func runSpeculation(t *testing.T, m *Miner, n int) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for range n {
		go m.spec.work(ctx)
	}
}

func waitDone(t *testing.T, m *Miner, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		m.spec.mu.Lock()
		defer m.spec.mu.Unlock()
		done := 0
		for _, e := range m.spec.entries {
			if e.state == specDone {
				done++
			}
		}
		return done == n
	}, 5*time.Second, time.Millisecond)
}

// A result speculated from a submission is the result the assignment would have
// computed, and the assignment runs the engine no second time.
func TestSpeculatedResultIsWhatTheAssignmentComputes(t *testing.T) {
	sess := map[uint64]specSession{1: {model: "tiny", maxTokens: 16}}
	for _, typ := range []string{sessionstypes.PromptTypeCompletion, sessionstypes.PromptTypeChat, sessionstypes.PromptTypeEmbedding} {
		t.Run(typ, func(t *testing.T) {
			e := &countingEngine{detEngine: detEngine{dim: 8}}
			m := speculatingMiner(t, e, sess)
			runSpeculation(t, m, 2)
			sub := testSubmit(1, "what is a block?", typ)
			m.spec.offer(context.Background(), sub)
			waitDone(t, m, 1)
			runs := e.completes.Load() + e.embeds.Load()
			require.Positive(t, runs)

			task := assignedAs(41, sub, sess[1])
			got, err := m.result(context.Background(), &task)
			require.NoError(t, err)
			require.Equal(t, runs, e.completes.Load()+e.embeds.Load(), "the assignment used the speculated result")
			require.Equal(t, uint64(1), m.spec.Hits.Load())

			// What a miner without speculation computes and precommits for the task.
			plain := testMiner(t, nil)
			plain.e = detEngine{dim: 8}
			want, err := plain.result(context.Background(), &task)
			require.NoError(t, err)
			require.Equal(t, want.Text, got.Text)
			require.Equal(t, want.Embedding, got.Embedding)
			require.Equal(t, want.PromptTokens, got.PromptTokens)
			require.Equal(t, want.CompletionTokens, got.CompletionTokens)
			require.Equal(t, uint64(41), got.TaskID)
			require.Equal(t, sessionstypes.PrecommitHash(41, "n1", got.Text, got.Embedding, got.PromptTokens, got.CompletionTokens, got.Salt), got.Hash)
			stored, ok, err := m.store.Get(41)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, got.Hash, stored.Hash, "what is revealed is what was precommitted")
		})
	}
}

// The key covers every input of the engine run as the chain delivers it: the task
// an assignment event describes (decoded from the event, as the miner reads it)
// has the key of the task built from the submission.
func TestResultKeyOfTheAssignmentEventMatchesTheSubmission(t *testing.T) {
	sess := specSession{model: "tiny", maxTokens: 16}
	sub := testSubmit(1, "hello", sessionstypes.PromptTypeChat)
	sub.TopK, sub.Seed = 40, 7
	task := assignedAs(9, sub, sess)
	ev, err := sdk.TypedEventToEvent(&sessionstypes.EventTaskAssigned{TaskId: 9, SessionId: 1, ModelId: "tiny",
		Prompt: task.Prompt, PromptType: task.PromptType, Sampling: task.Sampling, EmbeddingDim: 8, NodeIds: []string{"n1"}})
	require.NoError(t, err)
	m := testMiner(t, nil)
	fromEvent, ok := m.assignedTask(abci.Event(ev))
	require.True(t, ok)
	want, ok := resultKey(&task)
	require.True(t, ok)
	got, ok := resultKey(&fromEvent)
	require.True(t, ok)
	require.Equal(t, want, got)

	// Each input changes the key.
	for name, change := range map[string]func(*sessionstypes.Task){
		"model":       func(t *sessionstypes.Task) { t.ModelId = "other" },
		"dim":         func(t *sessionstypes.Task) { t.EmbeddingDim = 16 },
		"prompt":      func(t *sessionstypes.Task) { t.Prompt = "hello!" },
		"prompt type": func(t *sessionstypes.Task) { t.PromptType = sessionstypes.PromptTypeCompletion },
		"max tokens":  func(t *sessionstypes.Task) { t.Sampling.MaxTokens = 9 },
		"temperature": func(t *sessionstypes.Task) { t.Sampling.Temperature = sdkmath.LegacyMustNewDecFromStr("0.8") },
		"seed":        func(t *sessionstypes.Task) { t.Sampling.Seed = 8 },
	} {
		changed := task
		change(&changed)
		k, ok := resultKey(&changed)
		require.True(t, ok)
		require.NotEqual(t, want, k, name)
	}
}

// A task whose inputs differ from every speculation is computed on assignment.
func TestAssignmentUnlikeItsSpeculationComputesItself(t *testing.T) {
	sess := map[uint64]specSession{1: {model: "tiny", maxTokens: 16}}
	e := &countingEngine{detEngine: detEngine{dim: 8}}
	m := speculatingMiner(t, e, sess)
	runSpeculation(t, m, 1)
	sub := testSubmit(1, "a prompt", sessionstypes.PromptTypeCompletion)
	m.spec.offer(context.Background(), sub)
	waitDone(t, m, 1)
	task := assignedAs(5, sub, sess[1])
	task.Sampling.Seed = 99 // e.g. an EXACT session's drawn seed
	r, err := m.result(context.Background(), &task)
	require.NoError(t, err)
	require.Equal(t, int64(2), e.completes.Load(), "computed again")
	require.Zero(t, m.spec.Hits.Load())
	require.Equal(t, "answer(a prompt, 8)", r.Text)
}

// Submissions the miner would not be assigned, or whose result depends on the
// block, are not speculated.
func TestSubmissionsNotSpeculated(t *testing.T) {
	sess := map[uint64]specSession{
		1: {model: "tiny", maxTokens: 16},
		2: {model: "big", maxTokens: 16},               // a model this miner does not serve
		3: {model: "tiny", maxTokens: 16, exact: true}, // EXACT: the chain draws a seed of 0
		4: {model: "tiny", maxTokens: 4},               // max_tokens above the session's
	}
	e := &countingEngine{detEngine: detEngine{dim: 8}}
	m := speculatingMiner(t, e, sess)
	for _, sub := range []*sessionstypes.MsgSubmitTask{
		testSubmit(2, "p", ""), testSubmit(3, "p", ""), testSubmit(4, "p", ""),
		testSubmit(7, "p", ""), // a session the node does not know
		{Owner: "not an address", SessionId: 1, Prompt: "p", MaxTokens: 8},
	} {
		m.spec.offer(context.Background(), sub)
	}
	require.Empty(t, m.spec.entries)
	require.Equal(t, uint64(5), m.spec.Skipped.Load())

	seeded := testSubmit(3, "p", "")
	seeded.Seed = 5 // an EXACT session's own seed: the result is known
	m.spec.offer(context.Background(), seeded)
	m.spec.offer(context.Background(), testSubmit(1, "p", ""))
	m.spec.offer(context.Background(), testSubmit(1, "p", "")) // the same inputs again: once
	require.Len(t, m.spec.entries, 2)
}

// A speculation still queued when its task is assigned is left to the assignment,
// which computes it at once; the worker then skips it.
func TestQueuedSpeculationIsLeftToTheAssignment(t *testing.T) {
	sess := map[uint64]specSession{1: {model: "tiny", maxTokens: 16}}
	e := &countingEngine{detEngine: detEngine{dim: 8}}
	m := speculatingMiner(t, e, sess)
	sub := testSubmit(1, "queued", "")
	m.spec.offer(context.Background(), sub) // no worker yet
	task := assignedAs(3, sub, sess[1])
	_, err := m.result(context.Background(), &task)
	require.NoError(t, err)
	require.Equal(t, int64(1), e.completes.Load())
	runSpeculation(t, m, 1)
	require.Eventually(t, func() bool { return len(m.spec.jobs) == 0 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, int64(1), e.completes.Load(), "the worker skipped it")
	require.Zero(t, m.spec.Started.Load())
}

// An assignment arriving while its speculation runs waits for it instead of
// computing a second time.
func TestAssignmentWaitsForItsRunningSpeculation(t *testing.T) {
	sess := map[uint64]specSession{1: {model: "tiny", maxTokens: 16}}
	e := &countingEngine{detEngine: detEngine{dim: 8}, gate: make(chan struct{})}
	m := speculatingMiner(t, e, sess)
	runSpeculation(t, m, 1)
	sub := testSubmit(1, "running", "")
	m.spec.offer(context.Background(), sub)
	require.Eventually(t, func() bool { return e.completes.Load() == 1 }, 5*time.Second, time.Millisecond)
	task := assignedAs(3, sub, sess[1])
	got := make(chan Result, 1)
	go func() {
		r, err := m.result(context.Background(), &task)
		require.NoError(t, err)
		got <- r
	}()
	time.Sleep(20 * time.Millisecond)
	require.Empty(t, got, "waiting for the speculation")
	e.gate <- struct{}{}
	r := <-got
	require.Equal(t, "answer(running, 8)", r.Text)
	require.Equal(t, int64(1), e.completes.Load())
}

// Speculation never takes an engine slot an assigned task is waiting for.
func TestSpeculationYieldsToAssignedWork(t *testing.T) {
	sess := map[uint64]specSession{1: {model: "tiny", maxTokens: 16}}
	e := &countingEngine{detEngine: detEngine{dim: 8}}
	m := speculatingMiner(t, e, sess)
	m.waiting.Store(1) // an assigned task waits for a slot
	runSpeculation(t, m, 2)
	m.spec.offer(context.Background(), testSubmit(1, "later", ""))
	time.Sleep(30 * time.Millisecond)
	require.Zero(t, e.completes.Load(), "speculation waits")
	m.waiting.Store(0)
	require.Eventually(t, func() bool { return e.completes.Load() == 1 }, 5*time.Second, time.Millisecond)
}

// When most speculations go unused (a model served by more nodes than the
// redundancy), the miner speculates one submission in specProbe.
func TestSpeculationBacksOffWhenItDoesNotPay(t *testing.T) {
	s := newSpeculator(&Miner{})
	s.mu.Lock()
	defer s.mu.Unlock()
	require.True(t, s.paysLocked(), "no outcome yet")
	for range specWindow / 2 {
		s.finishedLocked(false)
	}
	s.finishedLocked(true)
	pays := 0
	for range 10 * specProbe {
		if s.paysLocked() {
			pays++
		}
	}
	require.Equal(t, 10, pays, "probes only")
	for range specWindow {
		s.finishedLocked(true)
	}
	require.True(t, s.paysLocked(), "pays again once most are used")
	require.Equal(t, uint64(specWindow/2), s.Wasted.Load())
}

// Finished results nobody used are dropped after specTTL and counted as wasted.
func TestUnusedSpeculationsExpire(t *testing.T) {
	sess := map[uint64]specSession{1: {model: "tiny", maxTokens: 16}}
	m := speculatingMiner(t, &countingEngine{detEngine: detEngine{dim: 8}}, sess)
	runSpeculation(t, m, 1)
	m.spec.offer(context.Background(), testSubmit(1, "unused", ""))
	waitDone(t, m, 1)
	m.spec.mu.Lock()
	for _, e := range m.spec.entries {
		e.born = e.born.Add(-2 * specTTL)
	}
	m.spec.inserts = specEntries/16 - 1 // the next insert sweeps
	m.spec.mu.Unlock()
	m.spec.offer(context.Background(), testSubmit(1, "next", ""))
	waitDone(t, m, 1)
	require.Equal(t, uint64(1), m.spec.Wasted.Load())
}

// Submissions naming sessions the miner has not seen cost a chain read each, at
// most specReads a second: a flood of made-up session ids does not become a flood
// of queries on the node.
func TestSpeculationBoundsItsChainReads(t *testing.T) {
	m := speculatingMiner(t, &countingEngine{detEngine: detEngine{dim: 8}}, nil)
	require.Equal(t, rate.Limit(specReads), m.spec.reads.Limit())
	require.Equal(t, specReads, m.spec.reads.Burst())
	m.spec.reads = rate.NewLimiter(0, specReads) // the same burst, no refill while the test runs
	var reads atomic.Int64
	m.spec.readSession = func(context.Context, uint64) (specSession, error) {
		reads.Add(1)
		return specSession{}, errors.New("not found")
	}
	for id := range uint64(10 * specReads) {
		m.spec.offer(context.Background(), testSubmit(id+1, "p", ""))
	}
	require.Equal(t, int64(specReads), reads.Load(), "a burst of specReads")
	require.Equal(t, uint64(10*specReads), m.spec.Skipped.Load())
	before := reads.Load()
	m.spec.offer(context.Background(), testSubmit(1, "p", "")) // a failed read is not repeated at once
	require.Equal(t, before, reads.Load())
}
