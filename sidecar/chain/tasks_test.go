package chain

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// fakeTasks is a task store the watcher reads, counting reads and ids asked.
type fakeTasks struct {
	mu    sync.Mutex
	tasks map[uint64]sessionstypes.Task
	reads [][]uint64
	err   error
}

func (f *fakeTasks) read(_ context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, append([]uint64(nil), ids...))
	if f.err != nil {
		return nil, nil, f.err
	}
	var out []sessionstypes.Task
	var missing []uint64
	for _, id := range ids {
		if t, ok := f.tasks[id]; ok {
			out = append(out, t)
		} else {
			missing = append(missing, id)
		}
	}
	return out, missing, nil
}

func (f *fakeTasks) set(id uint64, s sessionstypes.TaskStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tasks[id] = sessionstypes.Task{Id: id, Status: s}
}

func (f *fakeTasks) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reads)
}

func endedBlock(t *testing.T, h int64, ids ...uint64) Block {
	var evs []abci.Event
	for _, id := range ids {
		evs = append(evs, withAttr(t, &sessionstypes.EventTaskEnded{TaskId: id, Status: sessionstypes.TASK_STATUS_VALIDATED}, "mode", "EndBlock"))
	}
	return Block{Height: h, Events: evs}
}

// waitAll starts a waiter per id and returns their outcomes' channel.
func waitAll(w *TaskWatcher, ctx context.Context, ids ...uint64) chan taskOutcome {
	out := make(chan taskOutcome, len(ids))
	for _, id := range ids {
		go func() {
			task, err := w.Wait(ctx, id)
			out <- taskOutcome{task: task, err: err}
		}()
	}
	return out
}

func waitWatching(t *testing.T, w *TaskWatcher, n int) {
	require.Eventually(t, func() bool { return w.Watching() == n }, 2*time.Second, time.Millisecond)
}

// TestTaskWatcherOneReadPerBlock: a block ending many watched tasks costs one read of
// exactly those tasks, and every waiter (two on one task too) gets its task; tasks the
// block did not end are not read, and unwatched ended tasks are ignored.
func TestTaskWatcherOneReadPerBlock(t *testing.T) {
	f := &fakeTasks{tasks: map[uint64]sessionstypes.Task{}}
	w := NewTaskWatcher(f.read)
	ctx := context.Background()
	for id := uint64(1); id <= 5; id++ {
		f.set(id, sessionstypes.TASK_STATUS_PRECOMMIT)
	}
	out := waitAll(w, ctx, 1, 2, 3, 3, 4)
	waitWatching(t, w, 4)

	f.set(1, sessionstypes.TASK_STATUS_VALIDATED)
	f.set(2, sessionstypes.TASK_STATUS_EXPIRED)
	f.set(3, sessionstypes.TASK_STATUS_VALIDATED)
	w.OnBlock(ctx, endedBlock(t, 10, 1, 2, 3, 99))
	got := map[uint64]sessionstypes.TaskStatus{}
	for range 4 {
		o := <-out
		require.NoError(t, o.err)
		got[o.task.Id] = o.task.Status
	}
	require.Equal(t, map[uint64]sessionstypes.TaskStatus{1: sessionstypes.TASK_STATUS_VALIDATED,
		2: sessionstypes.TASK_STATUS_EXPIRED, 3: sessionstypes.TASK_STATUS_VALIDATED}, got)
	require.Equal(t, [][]uint64{{1, 2, 3}}, f.reads, "one read, of the watched tasks the block ended")
	waitWatching(t, w, 1)

	w.OnBlock(ctx, endedBlock(t, 11)) // a block that ends nothing watched reads nothing
	require.Equal(t, 1, f.readCount())
	select {
	case o := <-out:
		t.Fatalf("task 4 has not ended, yet its waiter returned %+v", o)
	default:
	}
}

// TestTaskWatcherBackstop: a missed event costs latency only: the backstop (or a gap)
// reads every watched task and delivers those that ended; a task no longer in state
// is an ErrTaskGone; a failing read leaves waiters waiting.
func TestTaskWatcherBackstop(t *testing.T) {
	f := &fakeTasks{tasks: map[uint64]sessionstypes.Task{}}
	w := NewTaskWatcher(f.read)
	w.Backstop = time.Hour // only OnGap kicks
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	f.set(1, sessionstypes.TASK_STATUS_PRECOMMIT)
	out := waitAll(w, ctx, 1, 7)
	waitWatching(t, w, 2)

	f.mu.Lock()
	f.err = errors.New("node restarting")
	f.mu.Unlock()
	w.OnGap()
	require.Eventually(t, func() bool { return f.readCount() == 1 }, 2*time.Second, time.Millisecond)
	require.Equal(t, 2, w.Watching(), "a failed read delivers nothing")

	f.mu.Lock()
	f.err = nil
	f.mu.Unlock()
	f.set(1, sessionstypes.TASK_STATUS_VALIDATED) // ended, but its event was missed
	w.OnGap()
	for range 2 {
		o := <-out
		if o.err != nil {
			require.ErrorIs(t, o.err, ErrTaskGone)
			require.Contains(t, o.err.Error(), "task 7")
			continue
		}
		require.Equal(t, uint64(1), o.task.Id)
	}
	require.Equal(t, 0, w.Watching())
}

// TestTaskWatcherContext: a waiter whose context ends returns its error and is
// forgotten.
func TestTaskWatcherContext(t *testing.T) {
	f := &fakeTasks{tasks: map[uint64]sessionstypes.Task{}}
	w := NewTaskWatcher(f.read)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := w.Wait(ctx, 5)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 0, w.Watching())
}
