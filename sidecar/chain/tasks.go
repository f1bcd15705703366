package chain

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cosmos/gogoproto/proto"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// MaxTasksPerQuery is the chain's bound on the ids of one Tasks query
// (x/sessions/keeper.MaxTasksPerQuery); Tasks splits longer lists.
const MaxTasksPerQuery = 1000

// Tasks reads several tasks in as few queries as the chain allows (one per
// MaxTasksPerQuery ids): the tasks found, in the order asked, and the ids that are
// not in state (never existed, or pruned). ids must not repeat.
func (c *Client) Tasks(ctx context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error) {
	var tasks []sessionstypes.Task
	var missing []uint64
	for len(ids) > 0 {
		n := min(len(ids), MaxTasksPerQuery)
		qctx, cancel := c.QueryCtx(ctx)
		res, err := c.Sessions.Tasks(qctx, &sessionstypes.QueryTasksRequest{TaskIds: ids[:n]})
		cancel()
		if err != nil {
			return tasks, missing, err
		}
		tasks = append(tasks, res.Tasks...)
		missing = append(missing, res.Missing...)
		ids = ids[n:]
	}
	return tasks, missing, nil
}

// ErrTaskGone: a watched task is no longer in state (pruned before it was read).
var ErrTaskGone = errors.New("task not in state")

// TaskWatcher hands each waiter its task once the task has ended. It learns which
// tasks ended from the block events it is fed (x/sessions' EventTaskEnded) and reads
// all of a block's ended tasks in one Tasks query, so that a router with thousands
// of requests in flight asks the chain once per block, not once per request per
// poll. A backstop reads every watched task every Backstop (default 10 s) and after
// a gap in the events (OnGap), so a missed event costs latency, never an answer.
type TaskWatcher struct {
	read     func(ctx context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error)
	Backstop time.Duration

	mu      sync.Mutex
	waiters map[uint64][]chan taskOutcome // lookups and deletes; iterated only to list ids, sorted by the reader
	kick    chan struct{}
}

type taskOutcome struct {
	task sessionstypes.Task
	err  error
}

// NewTaskWatcher reads tasks with read (Client.Tasks on a live chain).
func NewTaskWatcher(read func(ctx context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error)) *TaskWatcher {
	return &TaskWatcher{read: read, Backstop: 10 * time.Second, waiters: map[uint64][]chan taskOutcome{}, kick: make(chan struct{}, 1)}
}

// Wait returns the task once it has ended (any terminal status), ErrTaskGone when it
// left state unseen, or ctx's error.
func (w *TaskWatcher) Wait(ctx context.Context, id uint64) (sessionstypes.Task, error) {
	ch := make(chan taskOutcome, 1)
	w.mu.Lock()
	w.waiters[id] = append(w.waiters[id], ch)
	w.mu.Unlock()
	defer w.drop(id, ch)
	select {
	case o := <-ch:
		return o.task, o.err
	case <-ctx.Done():
		return sessionstypes.Task{}, ctx.Err()
	}
}

// drop forgets a waiter (delivered, or gone).
func (w *TaskWatcher) drop(id uint64, ch chan taskOutcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	chs := w.waiters[id]
	for i, c := range chs {
		if c == ch {
			chs = append(chs[:i], chs[i+1:]...)
			break
		}
	}
	if len(chs) == 0 {
		delete(w.waiters, id)
	} else {
		w.waiters[id] = chs
	}
}

// Watching is the number of tasks waited on.
func (w *TaskWatcher) Watching() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.waiters)
}

var eventTaskEnded = proto.MessageName(&sessionstypes.EventTaskEnded{})

// OnBlock reads the watched tasks that the block's events say ended.
func (w *TaskWatcher) OnBlock(ctx context.Context, b Block) {
	var ended []uint64
	w.mu.Lock()
	// The task id is read from the raw event: the block carries every task's end, most
	// of them not this router's, and decoding them all cost more than the rest of it.
	for _, e := range b.Events {
		if e.Type != eventTaskEnded {
			continue
		}
		if id, ok := AttrUint(e, "task_id"); ok && len(w.waiters[id]) > 0 {
			ended = append(ended, id)
		}
	}
	w.mu.Unlock()
	if len(ended) > 0 {
		w.check(ctx, ended)
	}
}

// OnGap asks for a backstop read of every watched task now (events may have been
// missed).
func (w *TaskWatcher) OnGap() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run does the backstop reads until ctx ends.
func (w *TaskWatcher) Run(ctx context.Context) {
	t := time.NewTicker(w.Backstop)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.kick:
		}
		w.mu.Lock()
		ids := make([]uint64, 0, len(w.waiters))
		for id := range w.waiters {
			ids = append(ids, id)
		}
		w.mu.Unlock()
		if len(ids) > 0 {
			w.check(ctx, ids)
		}
	}
}

// check reads the tasks and hands the ended (and the missing) ones to their waiters;
// a read error leaves them waiting for the next event or backstop.
func (w *TaskWatcher) check(ctx context.Context, ids []uint64) {
	tasks, missing, err := w.read(ctx, ids)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range tasks {
		if t.Status.Terminal() {
			w.deliverLocked(t.Id, taskOutcome{task: t})
		}
	}
	for _, id := range missing {
		w.deliverLocked(id, taskOutcome{err: fmt.Errorf("task %d: %w", id, ErrTaskGone)})
	}
}

func (w *TaskWatcher) deliverLocked(id uint64, o taskOutcome) {
	for _, ch := range w.waiters[id] {
		select {
		case ch <- o:
		default: // delivered already
		}
	}
}
