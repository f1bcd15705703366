package miner

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func typedEvents(t *testing.T, evs ...proto.Message) []abci.Event {
	t.Helper()
	var out []abci.Event
	for _, ev := range evs {
		e, err := sdk.TypedEventToEvent(ev)
		require.NoError(t, err)
		out = append(out, abci.Event(e))
	}
	return out
}

// TestBlockTasksReadInOneQuery: a block's events for this node (assigned, commit
// phase) become one read of exactly those tasks; other nodes' tasks are not read, a
// task whose commit phase opened is revealed from the stored result without a read
// (read only when no result is stored), and a stored task the block ended is
// forgotten without a read.
func TestBlockTasksReadInOneQuery(t *testing.T) {
	f := newFakeSessions(nil)
	b := chain.NewBatcher(f, chain.BatcherConfig{Poll: 5 * time.Millisecond, Linger: 10 * time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(b.Close)
	m := testMiner(t, b)
	m.blocks = make(chan blockWork, 4)
	var reads [][]uint64
	m.readTasks = func(_ context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error) {
		reads = append(reads, append([]uint64(nil), ids...))
		var out []sessionstypes.Task
		for _, id := range ids {
			if id == 5 {
				continue // pruned meanwhile
			}
			out = append(out, sessionstypes.Task{Id: id, Status: sessionstypes.TASK_STATUS_VALIDATED})
		}
		return out, []uint64{5}, nil
	}
	for _, id := range []uint64{3, 8} {
		r := Result{TaskID: id, NodeID: "n1", Text: "r", Salt: make([]byte, 32)}
		r.Hash = sessionstypes.PrecommitHash(r.TaskID, r.NodeID, r.Text, r.Embedding, r.PromptTokens, r.CompletionTokens, r.Salt)
		require.NoError(t, m.store.Put(r))
		f.precommits[id] = r.Hash
	}
	tasks := testTasks(4)
	assigned := func(t sessionstypes.Task, nodes ...string) *sessionstypes.EventTaskAssigned {
		return &sessionstypes.EventTaskAssigned{TaskId: t.Id, ModelId: t.ModelId, Prompt: t.Prompt, PromptType: t.PromptType,
			Sampling: t.Sampling, EmbeddingDim: t.EmbeddingDim, NodeIds: nodes, PrecommitDeadline: 30}
	}
	m.onBlock(chain.Block{Height: 7, FromTx: true, Events: typedEvents(t,
		assigned(tasks[0], "n0", "n1"),
		assigned(tasks[1], "n0", "n2"),
		assigned(tasks[3], "n1"),
		&sessionstypes.EventCommitPhase{TaskId: 3, NodeIds: []string{"n1", "n2"}},
		&sessionstypes.EventCommitPhase{TaskId: 5, NodeIds: []string{"n1"}},
		&sessionstypes.EventTaskEnded{TaskId: 8, Status: sessionstypes.TASK_STATUS_VALIDATED},
		&sessionstypes.EventTaskEnded{TaskId: 9, Status: sessionstypes.TASK_STATUS_VALIDATED},
	)})
	require.Len(t, m.blocks, 1, "one unit of work for the block")
	m.onBlockWork(context.Background(), <-m.blocks)
	require.Equal(t, [][]uint64{{5}}, reads, "only the commit phase without a stored result is read")
	m.workers.Wait()
	f.mu.Lock()
	require.Contains(t, f.commits, uint64(3), "revealed from the commit phase's event")
	require.Equal(t, "r", f.commits[3].ResultText)
	// Tasks 1 and 4 were computed from their assignment events and precommitted; the
	// results are those of the tasks as the chain stores them.
	for _, i := range []int{0, 3} {
		require.Contains(t, f.precommits, tasks[i].Id)
		got, ok, err := m.store.Get(tasks[i].Id)
		require.NoError(t, err)
		require.True(t, ok)
		want, err := Compute(context.Background(), detEngine{dim: 8}, &tasks[i])
		require.NoError(t, err)
		require.Equal(t, want.Text, got.Text)
		require.Equal(t, want.Embedding, got.Embedding)
	}
	require.NotContains(t, f.precommits, tasks[1].Id, "another node's task")
	f.mu.Unlock()
	for _, id := range []uint64{5, 8} {
		_, ok, err := m.store.Get(id)
		require.NoError(t, err)
		require.False(t, ok, "task %d forgotten (pruned, or ended by event)", id)
	}

	m.onBlock(chain.Block{Height: 8, FromTx: true, Events: typedEvents(t,
		&sessionstypes.EventTaskAssigned{TaskId: 11, NodeIds: []string{"n2"}})})
	require.Empty(t, m.blocks, "nothing for this node: no work, no read")
}

// gateEngine holds every completion until its gate is closed.
type gateEngine struct {
	detEngine
	gate chan struct{}
}

func (e gateEngine) Complete(ctx context.Context, model, prompt string, p engine.Params) (engine.Completion, error) {
	<-e.gate
	return e.detEngine.Complete(ctx, model, prompt, p)
}

// gatedMiner is a test miner whose engine holds every completion until gate is
// closed, with a batcher that sends linger after a message when no round does first.
func gatedMiner(t *testing.T, linger time.Duration) (*Miner, *fakeSessions, chan struct{}) {
	t.Helper()
	f := newFakeSessions(nil)
	b := chain.NewBatcher(f, chain.BatcherConfig{Poll: 5 * time.Millisecond, Linger: linger}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(b.Close)
	m := testMiner(t, b)
	gate := make(chan struct{})
	m.e = gateEngine{detEngine: detEngine{dim: 8}, gate: gate}
	return m, f, gate
}

// TestNewsWhileBusyIsActedOn: the commit phase can open while the node's worker is
// still confirming its precommit; that news must not wait for the next full poll (the
// commit window may close first): it is acted on when the worker ends, without a read.
func TestNewsWhileBusyIsActedOn(t *testing.T) {
	m, f, gate := gatedMiner(t, 10*time.Millisecond)
	task := testTasks(1)[0]
	ctx := context.Background()
	m.dispatch(ctx, &task) // the worker computes (held) and will precommit
	again := task
	m.dispatch(ctx, &again) // a full poll finds it in the same phase: nothing to remember
	m.mu.Lock()
	require.Nil(t, m.again[task.Id], "the worker is on that step already")
	m.mu.Unlock()
	ended := task
	ended.Status = sessionstypes.TASK_STATUS_VALIDATED
	m.dispatch(ctx, &ended) // news of no next step: nothing to remember
	m.mu.Lock()
	require.Nil(t, m.again[task.Id])
	m.mu.Unlock()
	commitPhase := task
	commitPhase.Status = sessionstypes.TASK_STATUS_COMMIT
	commitPhase.Assignments = []sessionstypes.Assignment{{NodeId: "n1", Status: sessionstypes.ASSIGNMENT_STATUS_PRECOMMITTED}}
	m.dispatch(ctx, &commitPhase) // news while busy: no second worker, but remembered
	m.mu.Lock()
	require.NotNil(t, m.again[task.Id])
	m.mu.Unlock()
	close(gate)
	m.workers.Wait() // the precommit's worker, then the commit's
	require.Empty(t, m.wake, "nothing read again")
	f.mu.Lock()
	require.Contains(t, f.precommits, task.Id)
	require.Contains(t, f.commits, task.Id, "the news that came while busy was acted on")
	f.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.Empty(t, m.again)
	require.Empty(t, m.busy)
}

// TestNewsWhileBusyLeavesWithItsBlocksWork: the commit phase's event comes with the
// block that holds the precommit, before the worker has confirmed it. The reveal must
// leave with that block's work when the worker ends, not wait for the batcher's send
// point (here an hour's linger, with no block notices: only a round's flush sends).
func TestNewsWhileBusyLeavesWithItsBlocksWork(t *testing.T) {
	m, f, gate := gatedMiner(t, time.Hour)
	task := testTasks(1)[0]
	ctx := context.Background()
	m.onBlockWork(ctx, blockWork{height: 7, assigned: []sessionstypes.Task{task}}) // computing, held
	m.onBlockWork(ctx, blockWork{height: 8, reveal: []uint64{task.Id}})            // the commit phase opens meanwhile
	close(gate)
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		_, ok := f.commits[task.Id]
		return ok
	}, 5*time.Second, 5*time.Millisecond, "the reveal left with block 8's work")
	m.workers.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.Empty(t, m.again)
	require.Empty(t, m.busy)
}

// sentMsgs counts the messages of each kind for task id the fake chain was asked to
// sign (a batch's resend after a split counts again).
func (f *fakeSessions) sentMsgs(id uint64) (precommits, commits int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.attempted {
		switch m := m.(type) {
		case *sessionstypes.MsgPrecommit:
			if m.TaskId == id {
				precommits++
			}
		case *sessionstypes.MsgCommit:
			if m.TaskId == id {
				commits++
			}
		}
	}
	return precommits, commits
}

// TestStaleReportsAfterTheMessageLandedAreIgnored: a full poll reads the task before
// this node's precommit lands and is handled after its worker ended. Acting on that
// read would send the precommit again (refused as already precommitted; under load
// a poll's worth of such repeats split batches once per message), so it is dropped;
// likewise for the commit. The next phase still goes ahead, and an ended task's
// record is forgotten.
func TestStaleReportsAfterTheMessageLandedAreIgnored(t *testing.T) {
	f := newFakeSessions(nil)
	b := chain.NewBatcher(f, chain.BatcherConfig{Poll: 5 * time.Millisecond, Linger: 10 * time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(b.Close)
	m := testMiner(t, b)
	ctx := context.Background()
	task := testTasks(1)[0]
	stale := task // the poll's read: precommit phase, this node assigned

	m.dispatch(ctx, &task)
	m.workers.Wait()
	m.dispatch(ctx, &stale)
	m.workers.Wait()
	pre, com := f.sentMsgs(task.Id)
	require.Equal(t, 1, pre, "the stale read sent nothing")
	require.Zero(t, com)

	commitPhase := task
	commitPhase.Status = sessionstypes.TASK_STATUS_COMMIT
	commitPhase.Assignments = []sessionstypes.Assignment{{NodeId: "n1", Status: sessionstypes.ASSIGNMENT_STATUS_PRECOMMITTED}}
	staleCommit := commitPhase
	m.dispatch(ctx, &commitPhase)
	m.workers.Wait()
	m.dispatch(ctx, &staleCommit)
	m.dispatch(ctx, &stale)
	m.workers.Wait()
	pre, com = f.sentMsgs(task.Id)
	require.Equal(t, 1, pre)
	require.Equal(t, 1, com, "the commit went once")
	f.mu.Lock()
	require.Contains(t, f.commits, task.Id)
	f.mu.Unlock()

	ended := task
	ended.Status = sessionstypes.TASK_STATUS_VALIDATED
	m.dispatch(ctx, &ended)
	m.mu.Lock()
	defer m.mu.Unlock()
	require.Empty(t, m.done, "forgotten with the task")
}
