package miner

import (
	"context"
	"sync"
	"sync/atomic"
)

// urgentBlocks: a task whose precommit deadline is this close to the latest block
// goes before the rest (its precommit needs a block to land, and a lost tx a resend).
const urgentBlocks = 3

// slots bounds the engine runs at once (Concurrency) and decides which waiting task
// runs next, the same way on every miner:
//   - a task whose precommit deadline is within urgentBlocks of the latest block first,
//     earliest deadline first;
//   - then the most recently assigned (the latest precommit deadline: the window is a
//     chain parameter), lowest task id first within a block.
//
// A task's commit phase opens in the block after its assignment only when every
// assigned node's precommit makes that block, and a loaded block's inferences do not
// all finish before the next proposal. With slots taken in the order the scheduler
// happened to start the workers (a channel used as a semaphore), each miner finished
// a different part of the block in time: at 2,500 clients each node had 40-50 % of
// its precommits at the floor but only 27-30 % of the tasks had all three. In one
// order the parts that make the block are the same tasks'. The newest block comes
// first because its tasks can still make the next block, while the ones left from
// the block before have missed theirs: taken oldest first, they used the time in
// which the new block's would have made it (29-35 % at the floor per node).
type slots struct {
	height atomic.Int64 // the latest block seen (setHeight)

	mu      sync.Mutex
	free    int
	waiting []*waiter // empty while free > 0
}

func newSlots(n int) *slots { return &slots{free: n} }

// setHeight records the latest block, against which deadlines are urgent.
func (s *slots) setHeight(h int64) { s.height.Store(h) }

// waiter is a task waiting for a slot; ready closes when it is handed one.
type waiter struct {
	id       uint64
	deadline int64 // the precommit deadline; 0 when unknown (goes last)
	ready    chan struct{}
	granted  bool // under slots.mu
}

// acquire waits for a slot for task id (precommit deadline deadline, 0 if unknown),
// or for ctx to end (then no slot is held).
func (s *slots) acquire(ctx context.Context, id uint64, deadline int64) error {
	s.mu.Lock()
	if s.free > 0 {
		s.free--
		s.mu.Unlock()
		return nil
	}
	w := &waiter{id: id, deadline: deadline, ready: make(chan struct{})}
	s.waiting = append(s.waiting, w)
	s.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		granted := w.granted
		if !granted {
			for i, o := range s.waiting {
				if o == w {
					s.remove(i)
					break
				}
			}
		}
		s.mu.Unlock()
		if granted { // handed a slot as ctx ended: pass it on
			s.release()
		}
		return ctx.Err()
	}
}

// release hands the slot to the waiting task that goes first, or frees it.
func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiting) == 0 {
		s.free++
		return
	}
	h := s.height.Load()
	best := 0
	for i := 1; i < len(s.waiting); i++ {
		if before(s.waiting[i], s.waiting[best], h) {
			best = i
		}
	}
	w := s.waiting[best]
	s.remove(best)
	w.granted = true
	close(w.ready)
}

// remove drops waiting[i] (order does not matter: release scans them all).
func (s *slots) remove(i int) {
	last := len(s.waiting) - 1
	s.waiting[i] = s.waiting[last]
	s.waiting[last] = nil
	s.waiting = s.waiting[:last]
}

// before reports whether a goes before b at height h.
func before(a, b *waiter, h int64) bool {
	ua, ub := urgent(a, h), urgent(b, h)
	switch {
	case ua != ub:
		return ua
	case ua && a.deadline != b.deadline:
		return a.deadline < b.deadline
	case !ua && a.deadline != b.deadline:
		return a.deadline > b.deadline // newest first; unknown (0) last
	}
	return a.id < b.id
}

func urgent(w *waiter, h int64) bool { return w.deadline > 0 && w.deadline-h <= urgentBlocks }
