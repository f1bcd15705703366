package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The worker pool: goroutines that live for the whole process and take
// shares of a job. Decode runs ~50 products per token, most of them a few
// tens of microseconds long; starting a goroutine and waiting on a
// WaitGroup per product costs about as much as the product, so a second
// thread gained ~20 %. A pool worker spins briefly on its own job slot
// after each job, so the next hand-off is a store and a load; a worker idle
// longer than spinFor parks on a channel and the next job wakes it.
//
// Which thread computes a share never changes a bit: callers split outputs,
// never one sum, exactly as MatMul does.

// spinFor is how long an idle worker (and a caller waiting for the other
// shares) spins before it parks.
const spinFor = 50 * time.Microsecond

// poolMin is the work (multiply-adds) from which a pooled product is split
// across threads: ~30 µs of one core's work, several times a hand-off.
var poolMin = 1 << 16

// PoolWorkers is how many shares a job of work multiply-adds should be
// split into by RunShares: 1 below the pool's threshold (or the lower of it
// and SetParallelMin's, so tests that force splitting split here too), else
// GOMAXPROCS.
func PoolWorkers(work int) int {
	if work < min(poolMin, parallelMin) {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

type poolWorker struct {
	slot     atomic.Pointer[poolJob]
	sleeping atomic.Bool
	wake     chan struct{}
}

type poolJob struct {
	fn      func(w int)
	pending atomic.Int32
	waiting atomic.Bool // the caller parked waiting for pending to reach 0
	done    chan struct{}
}

var pool struct {
	mu      sync.Mutex // one job at a time; a second caller spawns goroutines
	workers []*poolWorker
	job     poolJob
}

// RunShares calls fn(0), ..., fn(n-1), each once, concurrently, and returns
// when all have returned; the caller runs share n-1 itself. Shares run on
// the pool's workers; when another job holds the pool, they run on fresh
// goroutines instead.
func RunShares(n int, fn func(w int)) {
	if n <= 1 {
		if n == 1 {
			fn(0)
		}
		return
	}
	if !pool.mu.TryLock() {
		var wg sync.WaitGroup
		for w := 0; w < n-1; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fn(w)
			}()
		}
		fn(n - 1)
		wg.Wait()
		return
	}
	defer pool.mu.Unlock()
	for len(pool.workers) < n-1 {
		pw := &poolWorker{wake: make(chan struct{}, 1)}
		pool.workers = append(pool.workers, pw)
		go pw.loop(len(pool.workers) - 1)
	}
	j := &pool.job
	if j.done == nil {
		j.done = make(chan struct{}, 1)
	}
	j.fn = fn
	j.pending.Store(int32(n - 1))
	for w := 0; w < n-1; w++ {
		pw := pool.workers[w]
		pw.slot.Store(j)
		if pw.sleeping.CompareAndSwap(true, false) {
			pw.wake <- struct{}{}
		}
	}
	fn(n - 1)
	if !spinUntil(func() bool { return j.pending.Load() == 0 }) {
		j.waiting.Store(true)
		if j.pending.Load() == 0 {
			if !j.waiting.CompareAndSwap(true, false) {
				<-j.done // a worker saw us waiting and sent; take it
			}
		} else {
			<-j.done
		}
	}
	j.fn = nil
}

// spinUntil polls cond for up to spinFor and reports whether it held.
func spinUntil(cond func() bool) bool {
	var start time.Time
	for i := 0; ; i++ {
		if cond() {
			return true
		}
		if i&63 == 63 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > spinFor {
				return false
			}
		}
	}
}

// loop runs share idx (the worker's position in pool.workers) of each job
// its slot receives.
func (pw *poolWorker) loop(idx int) {
	for {
		var j *poolJob
		if !spinUntil(func() bool { j = pw.slot.Load(); return j != nil }) {
			pw.sleeping.Store(true)
			if j = pw.slot.Load(); j != nil {
				if !pw.sleeping.CompareAndSwap(true, false) {
					<-pw.wake // the dispatcher saw us asleep and sent; take it
				}
			} else {
				<-pw.wake
				j = pw.slot.Load()
			}
		}
		pw.slot.Store(nil)
		j.fn(idx)
		if j.pending.Add(-1) == 0 && j.waiting.CompareAndSwap(true, false) {
			j.done <- struct{}{}
		}
	}
}
