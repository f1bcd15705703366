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
// and SetParallelMin's, so tests that force splitting split here too), or
// while as many forward passes run as there are threads (BeginPass), else
// GOMAXPROCS.
func PoolWorkers(work int) int {
	if work < min(poolMin, parallelMin) {
		return 1
	}
	procs := runtime.GOMAXPROCS(0)
	if int(passes.Load()) >= procs {
		return 1
	}
	return procs
}

// passes counts the forward passes running at once (BeginPass, EndPass). When
// there are as many as threads, every thread already has a pass of its own, and
// splitting a pass's products too only adds hand-offs and spinning: a miner
// computing 16 tasks at once on 2 vCPUs spent 3 % of its CPU spinning in the pool
// and more handing shares off. Alone, a pass still splits (one request's latency).
var passes atomic.Int32

// BeginPass marks a forward pass as running; EndPass as done.
func BeginPass() { passes.Add(1) }

// EndPass marks a forward pass begun with BeginPass as done.
func EndPass() { passes.Add(-1) }

type poolWorker struct {
	slot     atomic.Pointer[poolJob]
	sleeping atomic.Bool
	wake     chan struct{}
}

// poolJob is one RunChunks call. Chunks are claimed through next, so a
// thread that the OS has descheduled holds up only the chunk it claimed,
// not a fixed share; the job is done when done reaches n. A worker that
// wakes after every chunk was claimed finds next exhausted and leaves.
type poolJob struct {
	fn      func(thread, chunk int)
	n       int32
	next    atomic.Int32
	done    atomic.Int32
	waiting atomic.Bool // the caller parked waiting for done to reach n
}

var pool struct {
	mu      sync.Mutex // one job at a time; a second caller spawns goroutines
	workers []*poolWorker
	done    chan struct{}
}

// RunShares calls fn(0), ..., fn(n-1), each once, concurrently (on up to
// n threads), and returns when all have returned.
func RunShares(n int, fn func(w int)) {
	RunChunks(n, n, func(_, chunk int) { fn(chunk) })
}

// RunChunks calls fn(thread, chunk) for every chunk in 0..chunks-1, each
// once, on up to threads threads (the caller and threads-1 pool workers),
// and returns when all have returned. thread (0..threads-1) is the same for
// chunks run by the same thread at the same time, so fn can index
// per-thread scratch by it. When another job holds the pool, the other
// threads are fresh goroutines instead.
func RunChunks(threads, chunks int, fn func(thread, chunk int)) {
	threads = min(threads, chunks)
	if threads <= 1 {
		for i := 0; i < chunks; i++ {
			fn(0, i)
		}
		return
	}
	j := &poolJob{fn: fn, n: int32(chunks)}
	if !pool.mu.TryLock() {
		var wg sync.WaitGroup
		for t := 1; t < threads; t++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j.work(t)
			}()
		}
		j.work(0)
		wg.Wait()
		return
	}
	defer pool.mu.Unlock()
	for len(pool.workers) < threads-1 {
		pw := &poolWorker{wake: make(chan struct{}, 1)}
		pool.workers = append(pool.workers, pw)
		go pw.loop(len(pool.workers))
	}
	if pool.done == nil {
		pool.done = make(chan struct{}, 1)
	}
	for t := 0; t < threads-1; t++ {
		pw := pool.workers[t]
		pw.slot.Store(j)
		if pw.sleeping.CompareAndSwap(true, false) {
			pw.wake <- struct{}{}
		}
	}
	j.work(0)
	if !spinUntil(func() bool { return j.done.Load() == j.n }) {
		j.waiting.Store(true)
		if j.done.Load() == j.n {
			if !j.waiting.CompareAndSwap(true, false) {
				<-pool.done // a worker saw us waiting and sent; take it
			}
		} else {
			<-pool.done
		}
	}
}

// work runs chunks of j until none is left unclaimed.
func (j *poolJob) work(thread int) {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.fn(thread, int(i))
		if j.done.Add(1) == j.n && j.waiting.CompareAndSwap(true, false) {
			pool.done <- struct{}{}
		}
	}
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

// loop runs the jobs its slot receives as thread number thread.
func (pw *poolWorker) loop(thread int) {
	for {
		var j *poolJob
		if !spinUntil(func() bool { j = pw.slot.Swap(nil); return j != nil }) {
			pw.sleeping.Store(true)
			if j = pw.slot.Swap(nil); j != nil {
				if !pw.sleeping.CompareAndSwap(true, false) {
					<-pw.wake // the dispatcher saw us asleep and sent; take it
				}
			} else {
				<-pw.wake
				if j = pw.slot.Swap(nil); j == nil {
					continue
				}
			}
		}
		j.work(thread)
	}
}
