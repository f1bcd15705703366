package miner

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/engine"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// detEngine is a deterministic engine: the completion and the embedding depend on
// the input only, as the native engine's do.
type detEngine struct{ dim int }

func (e detEngine) Complete(_ context.Context, _, prompt string, p engine.Params) (engine.Completion, error) {
	return engine.Completion{Text: fmt.Sprintf("answer(%s, %d)", prompt, p.MaxTokens), FinishReason: "length",
		Usage: engine.Usage{PromptTokens: len(prompt), CompletionTokens: 3}}, nil
}

func (e detEngine) CompleteStream(ctx context.Context, model, prompt string, p engine.Params, emit func(string) error) (engine.Completion, error) {
	c, err := e.Complete(ctx, model, prompt, p)
	if err == nil {
		err = emit(c.Text)
	}
	return c, err
}

func (e detEngine) Embed(_ context.Context, _ string, texts []string) ([][]float32, engine.Usage, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		h := sha256.Sum256([]byte(t))
		v := make([]float32, e.dim)
		for j := range v {
			v[j] = float32(int8(h[j%32])) + 0.5
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		for j := range v {
			v[j] = float32(float64(v[j]) / math.Sqrt(n))
		}
		out[i] = v
	}
	return out, engine.Usage{PromptTokens: len(texts)}, nil
}

func (detEngine) Loss(context.Context, string, []string) ([]engine.LossResult, error) {
	return nil, engine.ErrNotSupported
}

func (detEngine) Models(context.Context) ([]engine.ModelInfo, error) { return nil, nil }

// fakeSessions is x/sessions' precommit/commit rules for one node on a fake chain:
// a precommit is refused when the task's window closed (late) or the node already
// precommitted; a commit must reproduce the precommit hash. Txs are atomic and
// simulated first, with the SDK's "message index" wording, as a chain.TxSender.
type fakeSessions struct {
	mu         sync.Mutex
	late       map[uint64]bool
	precommits map[uint64][]byte
	attempted  []sdk.Msg // every message handed to SignUnordered, refused or not
	commits    map[uint64]*sessionstypes.MsgCommit
	heartbeats int
	signed     map[string][]sdk.Msg
	included   map[string]*sdk.TxResponse
	txs        int // broadcast
	n          int
}

func newFakeSessions(late map[uint64]bool) *fakeSessions {
	return &fakeSessions{late: late, precommits: map[uint64][]byte{}, commits: map[uint64]*sessionstypes.MsgCommit{},
		signed: map[string][]sdk.Msg{}, included: map[string]*sdk.TxResponse{}}
}

// run applies msgs to copies of the state and returns them, or the first error.
func (f *fakeSessions) run(msgs []sdk.Msg) (map[uint64][]byte, map[uint64]*sessionstypes.MsgCommit, int, error) {
	pre := map[uint64][]byte{}
	for k, v := range f.precommits {
		pre[k] = v
	}
	com := map[uint64]*sessionstypes.MsgCommit{}
	for k, v := range f.commits {
		com[k] = v
	}
	hb := f.heartbeats
	for i, m := range msgs {
		var err error
		switch m := m.(type) {
		case *sessionstypes.MsgPrecommit:
			switch {
			case f.late[m.TaskId]:
				err = errorsmod.Wrapf(sessionstypes.ErrLate, "precommit window of task %d closed", m.TaskId)
			case pre[m.TaskId] != nil:
				err = errorsmod.Wrapf(sessionstypes.ErrAlreadyPrecommitted, "task %d", m.TaskId)
			default:
				pre[m.TaskId] = m.Hash
			}
		case *sessionstypes.MsgCommit:
			h := sessionstypes.PrecommitHash(m.TaskId, m.NodeId, m.ResultText, m.Embedding, m.PromptTokens, m.CompletionTokens, m.Salt)
			switch {
			case com[m.TaskId] != nil:
				err = errorsmod.Wrapf(sessionstypes.ErrAlreadyCommitted, "task %d", m.TaskId)
			case pre[m.TaskId] == nil:
				err = errorsmod.Wrapf(sessionstypes.ErrNoPrecommit, "task %d", m.TaskId)
			case string(h) != string(pre[m.TaskId]):
				err = errorsmod.Wrapf(sessionstypes.ErrHashMismatch, "task %d", m.TaskId)
			default:
				com[m.TaskId] = m
			}
		case *nodestypes.MsgHeartbeat:
			hb++
		default:
			err = fmt.Errorf("unexpected %T", m)
		}
		if err != nil {
			return nil, nil, 0, errorsmod.Wrapf(err, "failed to execute message; message index: %d", i)
		}
	}
	return pre, com, hb, nil
}

func (f *fakeSessions) SignUnordered(_ context.Context, ttl time.Duration, msgs []sdk.Msg) ([]byte, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempted = append(f.attempted, msgs...)
	if _, _, _, err := f.run(msgs); err != nil {
		return nil, time.Time{}, &chain.SimulationError{Err: status.Errorf(codes.Unknown, "%v with gas used: '1'", err)}
	}
	f.n++
	bz := []byte(fmt.Sprint("tx", f.n))
	f.signed[chain.TxHash(bz)] = msgs
	return bz, time.Now().Add(ttl), nil
}

func (f *fakeSessions) Broadcast(_ context.Context, bz []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.txs++
	hash := chain.TxHash(bz)
	res := &sdk.TxResponse{TxHash: hash, Height: int64(f.txs)}
	pre, com, hb, err := f.run(f.signed[hash])
	if err != nil {
		cs, code, log := errorsmod.ABCIInfo(err, false)
		res.Codespace, res.Code, res.RawLog = cs, code, log
	} else {
		f.precommits, f.commits, f.heartbeats = pre, com, hb
	}
	f.included[hash] = res
	return nil
}

func (f *fakeSessions) FindTx(_ context.Context, hash string) (*sdk.TxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.included[hash], nil
}

func (f *fakeSessions) BlockTime(context.Context) (time.Time, error) { return time.Now(), nil }

func testMiner(t *testing.T, b *chain.Batcher) *Miner {
	t.Helper()
	st, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	return &Miner{cfg: Config{NodeID: "n1", Concurrency: 4, EngineTimeout: time.Minute}, addr: "cor1node", batch: b,
		e: detEngine{dim: 8}, store: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		busy: map[uint64]sessionstypes.TaskStatus{}, again: map[uint64]*news{}, done: map[uint64]sessionstypes.TaskStatus{},
		sem: make(chan struct{}, 4), wake: make(chan uint64, 16)}
}

// testTasks are completion, chat and embedding tasks assigned to n1, in the precommit phase.
func testTasks(n int) []sessionstypes.Task {
	types := []string{sessionstypes.PromptTypeCompletion, sessionstypes.PromptTypeChat, sessionstypes.PromptTypeEmbedding}
	out := make([]sessionstypes.Task, n)
	for i := range out {
		out[i] = sessionstypes.Task{Id: uint64(i + 1), ModelId: "tiny", EmbeddingDim: 8, Prompt: fmt.Sprint("prompt ", i),
			PromptType: types[i%len(types)], Status: sessionstypes.TASK_STATUS_PRECOMMIT,
			Sampling:    sessionstypes.SamplingParams{MaxTokens: uint32(4 + i%3), Seed: uint64(i)},
			Assignments: []sessionstypes.Assignment{{NodeId: "n1", Status: sessionstypes.ASSIGNMENT_STATUS_ASSIGNED}}}
	}
	return out
}

// stepAll runs the miner's step on every task at once, as its workers do.
func stepAll(t *testing.T, m *Miner, tasks []sessionstypes.Task) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(tasks))
	for i := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.step(context.Background(), &tasks[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "task %d", tasks[i].Id)
	}
}

// mine runs the precommit and commit phases of tasks on a fresh fake chain through
// a batcher with cfg, and returns the chain's committed reveals and its tx count.
func mine(t *testing.T, cfg chain.BatcherConfig, tasks []sessionstypes.Task, late map[uint64]bool) (map[uint64]*sessionstypes.MsgCommit, *fakeSessions, *chain.Batcher) {
	t.Helper()
	f := newFakeSessions(late)
	cfg.Poll = 5 * time.Millisecond
	b := chain.NewBatcher(f, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(b.Close)
	m := testMiner(t, b)
	tasks = append([]sessionstypes.Task(nil), tasks...)
	for i := range tasks {
		tasks[i].Assignments = append([]sessionstypes.Assignment(nil), tasks[i].Assignments...)
	}
	stepAll(t, m, tasks)
	var commit []sessionstypes.Task
	for _, task := range tasks {
		if late[task.Id] {
			continue
		}
		task.Status = sessionstypes.TASK_STATUS_COMMIT
		task.Assignments = []sessionstypes.Assignment{{NodeId: "n1", Status: sessionstypes.ASSIGNMENT_STATUS_PRECOMMITTED}}
		commit = append(commit, task)
	}
	stepAll(t, m, commit)
	ok, _ := m.heartbeat(context.Background())
	require.True(t, ok, "a heartbeat goes through the same batcher")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commits, f, b
}

// Batching changes how the node's messages travel, not what it commits: the same
// tasks through a one-message-per-tx sender and through the batcher end with the
// same revealed result per task, each matching its precommit hash (the fake chain
// checks it), in far fewer txs.
func TestBatchedMinerCommitsWhatAnUnbatchedOneCommits(t *testing.T) {
	tasks := testTasks(12)
	unbatched, fu, _ := mine(t, chain.BatcherConfig{MaxMsgs: 1}, tasks, nil)
	batched, fb, bb := mine(t, chain.BatcherConfig{Linger: 300 * time.Millisecond}, tasks, nil)
	require.Len(t, unbatched, 12)
	require.Len(t, batched, 12)
	for id, u := range unbatched {
		b := batched[id]
		require.NotNil(t, b, "task %d", id)
		require.Equal(t, u.ResultText, b.ResultText, "task %d", id)
		require.Equal(t, u.Embedding, b.Embedding, "task %d", id)
		require.Equal(t, u.PromptTokens, b.PromptTokens, "task %d", id)
		require.Equal(t, u.CompletionTokens, b.CompletionTokens, "task %d", id)
		require.Equal(t, sha256.Sum256([]byte(u.ResultText)), sha256.Sum256([]byte(b.ResultText)))
	}
	require.Equal(t, 25, fu.txs, "one tx per precommit, commit and heartbeat")
	// Precommits and commits each leave in one or two txs (the engine runs four at a
	// time), the heartbeat in one.
	require.LessOrEqual(t, fb.txs, 6, "batched txs")
	require.Equal(t, uint64(25), bb.Stats.Msgs.Load())
}

// A message failing inside a batch (a precommit after its window closed) is the
// only one lost: the others of its tx are applied, and the miner treats its own
// error as it always did (too late, no retry).
func TestBatchedMinerKeepsTheOthersWhenOneFails(t *testing.T) {
	tasks := testTasks(9)
	late := map[uint64]bool{4: true}
	commits, f, b := mine(t, chain.BatcherConfig{Linger: 300 * time.Millisecond}, tasks, late)
	require.Len(t, commits, 8)
	require.Nil(t, commits[4])
	require.Nil(t, f.precommits[4])
	require.GreaterOrEqual(t, b.Stats.Splits.Load(), uint64(1))
	require.Equal(t, uint64(1), b.Stats.Failed.Load())
	// A node that restarts and precommits again gets "already precommitted": success.
	m := testMiner(t, b)
	task := tasks[0]
	task.Assignments = []sessionstypes.Assignment{{NodeId: "n1", Status: sessionstypes.ASSIGNMENT_STATUS_ASSIGNED}}
	require.NoError(t, m.step(context.Background(), &task))
}

// A heartbeat that lands in a later slot than the block it was sent on counts for that
// slot: the miner sends no other in it (the chain would refuse it inside a batch).
func TestHeartbeatSlotIsTheOneItLandedIn(t *testing.T) {
	f := newFakeSessions(nil)
	b := chain.NewBatcher(f, chain.BatcherConfig{Poll: 5 * time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(b.Close)
	m := testMiner(t, b)
	m.hbInterval, m.hbSlot = 10, -1
	f.mu.Lock()
	f.txs = 40 // the next tx lands at height 41
	f.mu.Unlock()
	ctx := context.Background()
	m.maybeHeartbeat(ctx, 39) // sent on block 39 (slot 3), lands in slot 4
	m.maybeHeartbeat(ctx, 45) // slot 4 is done
	f.mu.Lock()
	require.Equal(t, 1, f.heartbeats)
	f.mu.Unlock()
	m.maybeHeartbeat(ctx, 50)
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Equal(t, 2, f.heartbeats, "the next slot gets its heartbeat")
}
