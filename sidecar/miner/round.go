package miner

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// round is work one block's events gave this node: the precommits of the tasks
// assigned in the block, or the reveals of those whose commit phase opened. When every
// one of them has queued its message with the batcher (or ended without one), the
// batcher sends them at once. Left to its send point, shortly before the next block is
// expected, the tx often missed that block's proposal under load (the block's own
// execution delays the next notice, not the proposal), and each phase of a task took
// two blocks instead of one.
//
// A round of precommits also sends what is queued every so often while it lasts
// (every, partial): a loaded block's inferences take most of a block interval, and
// the ones done before the next proposal make it only if they leave before it.
type round struct {
	left  atomic.Int64
	tasks atomic.Bool // a round that started no worker has nothing of its own to send
	flush func()

	every    time.Duration
	partial  func()
	lastSent atomic.Int64 // unix nanoseconds of the start or the last partial send
}

// roundFlushEvery is how often a round of precommits sends what is queued: a
// precommit computed this long before the next proposal still makes it (one tx each
// time, a few per loaded block).
const roundFlushEvery = 100 * time.Millisecond

// newRound starts a round that flushes when the dispatching caller and every task it
// adds are done; the caller's own share ends with done. every > 0 with partial set
// sends what is queued at most that often while the round lasts.
func newRound(flush func(), every time.Duration) *round {
	r := &round{flush: flush, every: every}
	r.left.Store(1)
	r.lastSent.Store(time.Now().UnixNano())
	return r
}

// task adds one task to the round and returns its done, safe to call more than once
// (the first call counts). A nil round has nothing to flush.
func (r *round) task() func() {
	if r == nil {
		return func() {}
	}
	r.left.Add(1)
	r.tasks.Store(true)
	return sync.OnceFunc(r.done)
}

func (r *round) done() {
	if r.left.Add(-1) == 0 {
		if r.tasks.Load() {
			r.flush()
		}
		return
	}
	if r.every <= 0 || r.partial == nil {
		return
	}
	now, last := time.Now().UnixNano(), r.lastSent.Load()
	if now-last >= int64(r.every) && r.lastSent.CompareAndSwap(last, now) {
		r.partial()
	}
}

// news is a task's next phase that came while a worker was on the task: the worker
// acts on it when it ends, in the round of the block that brought it, which release
// lets go of once the news is dispatched (or replaced).
type news struct {
	task    sessionstypes.Task
	round   *round
	release func()
}

// send queues msg with the batcher, calls queued, and waits for the outcome (the tx
// goes whatever ctx does; ctx only ends the wait).
func (m *Miner) send(ctx context.Context, queued func(), msg sdk.Msg) error {
	ch := make(chan chain.BatchResult, 1)
	m.batch.Add([]sdk.Msg{msg}, func(r chain.BatchResult) { ch <- r })
	queued()
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}
