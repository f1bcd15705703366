package miner

import (
	"container/heap"
	"context"
	"sync"
)

// slots bounds the engine runs at once (Concurrency) and admits the tasks waiting for
// one lowest id first. Task ids are global and increase with submission, so every
// miner computes a block's tasks in the same order. A task's commit phase opens in the
// next block only when every assigned node's precommit makes that block, and a loaded
// block's inferences do not all finish before the next proposal: with slots taken in
// the order the scheduler happened to start the tasks' workers (a channel used as a
// semaphore), each miner finished a different part of the block in time, and measured
// at 2,500 clients each node had 25-27 % of its precommits at the floor but only 14 %
// of the tasks had all three. In one order, the parts that make the block overlap.
type slots struct {
	mu      sync.Mutex
	free    int
	waiting waiters // empty while free > 0
}

func newSlots(n int) *slots { return &slots{free: n} }

// waiter is a task waiting for a slot; ready closes when it is handed one.
type waiter struct {
	id      uint64
	ready   chan struct{}
	granted bool // under slots.mu
	index   int  // in the heap, for removal
}

// acquire waits for a slot for task id, or for ctx to end (then no slot is held).
func (s *slots) acquire(ctx context.Context, id uint64) error {
	s.mu.Lock()
	if s.free > 0 {
		s.free--
		s.mu.Unlock()
		return nil
	}
	w := &waiter{id: id, ready: make(chan struct{})}
	heap.Push(&s.waiting, w)
	s.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		granted := w.granted
		if !granted {
			heap.Remove(&s.waiting, w.index)
		}
		s.mu.Unlock()
		if granted { // handed a slot as ctx ended: pass it on
			s.release()
		}
		return ctx.Err()
	}
}

// release hands the slot to the waiting task with the lowest id, or frees it.
func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiting) == 0 {
		s.free++
		return
	}
	w := heap.Pop(&s.waiting).(*waiter)
	w.granted = true
	close(w.ready)
}

// waiters is a min-heap of waiters by task id (container/heap).
type waiters []*waiter

func (h waiters) Len() int           { return len(h) }
func (h waiters) Less(i, j int) bool { return h[i].id < h[j].id }
func (h waiters) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *waiters) Push(x any) {
	w := x.(*waiter)
	w.index = len(*h)
	*h = append(*h, w)
}

func (h *waiters) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return w
}
