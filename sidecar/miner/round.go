package miner

import (
	"context"
	"sync"
	"sync/atomic"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/sidecar/chain"
)

// round is the work one block's events gave this node: the precommits of the tasks
// assigned in the block and the reveals of those whose commit phase opened. When every
// one of them has queued its message with the batcher (or ended without one), the
// batcher sends them at once. Left to its send point, shortly before the next block is
// expected, the tx often missed that block's proposal under load (the block's own
// execution delays the next notice, not the proposal), and each phase of a task took
// two blocks instead of one. A round still makes one tx: what its block owes, together.
type round struct {
	left  atomic.Int64
	tasks atomic.Bool // a round that started no worker has nothing of its own to send
	flush func()
}

// newRound starts a round that flushes when the dispatching caller and every task it
// adds are done; the caller's own share ends with done.
func newRound(flush func()) *round {
	r := &round{flush: flush}
	r.left.Store(1)
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
	if r.left.Add(-1) == 0 && r.tasks.Load() {
		r.flush()
	}
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
