package miner

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// A block's work leaves as one tx as soon as its last message is queued, not at the
// batcher's send point: with a send point an hour away, the precommits of the tasks a
// block assigned are on chain at once, all in one tx, and so are the reveals of the
// block that opens their commit phase.
func TestBlockRoundSendsWhenItsLastMessageIsQueued(t *testing.T) {
	f := newFakeSessions(nil)
	b := chain.NewBatcher(f, chain.BatcherConfig{Linger: time.Hour, Poll: 5 * time.Millisecond},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(b.Close)
	m := testMiner(t, b)
	m.blocks = make(chan blockWork, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	tasks := testTasks(10)
	m.onBlockWork(ctx, blockWork{height: 5, assigned: tasks})
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.precommits) == 10
	}, 5*time.Second, 5*time.Millisecond, "the round's precommits were not sent before the send point")
	m.workers.Wait()
	f.mu.Lock()
	require.Equal(t, 1, f.txs, "one tx for the block's precommits")
	f.mu.Unlock()

	w := blockWork{height: 6}
	for _, task := range tasks {
		w.reveal = append(w.reveal, task.Id)
	}
	m.onBlockWork(ctx, w)
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.commits) == 10
	}, 5*time.Second, 5*time.Millisecond, "the round's reveals were not sent before the send point")
	m.workers.Wait()
	f.mu.Lock()
	require.Equal(t, 2, f.txs, "one tx for the block's reveals")
	f.mu.Unlock()

	// A block whose tasks are all already being worked on starts no round of its own:
	// what is pending waits for its own round or send point.
	task := testTasks(1)[0]
	task.Id = 99
	m.mu.Lock()
	m.busy[task.Id] = sessionstypes.TASK_STATUS_PRECOMMIT
	m.mu.Unlock()
	sent := make(chan chain.BatchResult, 1)
	b.Add([]sdk.Msg{&sessionstypes.MsgPrecommit{Sender: "cor1node", TaskId: 50, NodeId: "n1", Hash: []byte("h")}},
		func(r chain.BatchResult) { sent <- r })
	m.onBlockWork(ctx, blockWork{height: 7, assigned: []sessionstypes.Task{task}})
	time.Sleep(50 * time.Millisecond)
	f.mu.Lock()
	require.Equal(t, 2, f.txs, "pending messages of no round of this block wait")
	f.mu.Unlock()
	b.Flush()
	require.NoError(t, (<-sent).Err)
}

// The round's count: it flushes once, when the dispatcher and every task are done,
// whatever the order, and a task's done counts once however often it is called.
func TestRoundFlushesOnceWhenAllAreDone(t *testing.T) {
	flushes := 0
	r := newRound(func() { flushes++ }, 0)
	a, b := r.task(), r.task()
	a()
	a()
	r.done() // the dispatcher
	require.Zero(t, flushes)
	b()
	require.Equal(t, 1, flushes)

	empty := newRound(func() { flushes++ }, 0)
	empty.done()
	require.Equal(t, 1, flushes, "a round without tasks sends nothing")

	var none *round
	none.task()() // a nil round is no round
}

// A round of precommits sends what is queued while it lasts, at most once an
// interval, and everything when its last task is done.
func TestRoundSendsWhatIsQueuedEveryInterval(t *testing.T) {
	flushes, partials := 0, 0
	r := newRound(func() { flushes++ }, 20*time.Millisecond)
	r.partial = func() { partials++ }
	a, b, c, d := r.task(), r.task(), r.task(), r.task()
	a()
	require.Zero(t, partials, "the interval has not passed since the round began")
	time.Sleep(30 * time.Millisecond)
	b()
	require.Equal(t, 1, partials)
	c()
	require.Equal(t, 1, partials, "not again within the interval")
	r.done()
	time.Sleep(30 * time.Millisecond)
	d()
	require.Equal(t, 1, partials, "the last done flushes everything instead")
	require.Equal(t, 1, flushes)
}

// A block's reveals leave as soon as they are queued, not with the block's
// inferences: here the engine holds every completion, and the reveal of the task
// whose commit phase the block opened is on chain before any of its precommits.
func TestRevealsLeaveBeforeTheBlocksInferences(t *testing.T) {
	m, f, gate := gatedMiner(t, time.Hour)
	r := Result{TaskID: 40, NodeID: "n1", Text: "r", Salt: make([]byte, 32)}
	r.Hash = sessionstypes.PrecommitHash(r.TaskID, r.NodeID, r.Text, r.Embedding, r.PromptTokens, r.CompletionTokens, r.Salt)
	require.NoError(t, m.store.Put(r))
	f.mu.Lock()
	f.precommits[40] = r.Hash
	f.mu.Unlock()

	m.onBlockWork(context.Background(), blockWork{height: 9, assigned: testTasks(3), reveal: []uint64{40}})
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		_, ok := f.commits[40]
		return ok
	}, 5*time.Second, 5*time.Millisecond, "the reveal waited for the inferences")
	f.mu.Lock()
	require.Len(t, f.precommits, 1, "no precommit yet: only the stored one")
	f.mu.Unlock()
	close(gate)
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.precommits) == 4
	}, 5*time.Second, 5*time.Millisecond)
	m.workers.Wait()
}
