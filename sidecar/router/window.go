package router

import (
	"math/bits"
	"time"
)

// window is a sliding window of spending in ucor: the sum of what was added in
// the last n buckets of width each (the current bucket included). An amount
// counts from the moment it is added until its bucket leaves the window, between
// (n-1)·width and n·width later; so the amount added in ANY interval of
// (n-1)·width never exceeds the limit (a minute of 60 one-second buckets: any
// 59 s; a day of 1,440 one-minute buckets: any 23 h 59 min). Sums are exact
// integers; the running total makes a check O(1) (amortised).
//
// A window is not safe for concurrent use: its owner holds a lock.
type window struct {
	limit  uint64
	width  time.Duration
	sums   []uint64 // by slot (bucket mod n)
	stamps []int64  // the bucket number a slot holds
	total  uint64   // sum of sums
	head   int64    // the newest bucket seen
}

func newWindow(limit uint64, span time.Duration, n int) *window {
	return &window{limit: limit, width: span / time.Duration(n), sums: make([]uint64, n), stamps: make([]int64, n), head: -1}
}

func (w *window) bucket(now time.Time) int64 { return now.UnixNano() / int64(w.width) }

func (w *window) slot(b int64) int {
	n := int64(len(w.sums))
	return int(((b % n) + n) % n)
}

// advance moves the window to bucket cur, dropping the buckets that left it. A
// clock that steps back keeps the newest bucket (amounts are never lost early).
func (w *window) advance(cur int64) {
	if cur <= w.head {
		return
	}
	n := int64(len(w.sums))
	first := max(w.head+1, cur-n+1)
	for b := first; b <= cur; b++ {
		s := w.slot(b)
		w.total -= w.sums[s]
		w.sums[s], w.stamps[s] = 0, b
	}
	w.head = cur
}

// hold is an amount added to one bucket of one window, to be taken back if the
// spending it reserved did not happen.
type hold struct {
	w      *window
	bucket int64
	amount uint64
}

// fits reports whether amount can be added now; if not, how long until enough
// of what is in the window has left it (ok false and wait 0: never, the amount
// is over the limit on its own).
func (w *window) fits(now time.Time, amount uint64) (ok bool, wait time.Duration) {
	w.advance(w.bucket(now))
	sum, carry := bits.Add64(w.total, amount, 0)
	if carry == 0 && sum <= w.limit {
		return true, 0
	}
	if amount > w.limit {
		return false, 0
	}
	// Walk from the oldest bucket: the window has room once the buckets up to b
	// have left it, at the start of bucket b+n.
	excess := w.total - (w.limit - amount)
	n := int64(len(w.sums))
	var freed uint64
	for b := w.head - n + 1; b <= w.head; b++ {
		if s := w.slot(b); w.stamps[s] == b {
			freed += w.sums[s]
		}
		if freed >= excess {
			at := time.Unix(0, (b+n)*int64(w.width))
			return false, max(at.Sub(now), time.Second)
		}
	}
	return false, w.width // unreachable: the total is the sum of the buckets
}

// add counts amount in the current bucket (after fits said yes).
func (w *window) add(now time.Time, amount uint64) hold {
	b := w.bucket(now)
	w.advance(b)
	if b < w.head { // the clock stepped back: count it in the newest bucket
		b = w.head
	}
	s := w.slot(b)
	w.sums[s] += amount
	w.total += amount
	return hold{w: w, bucket: b, amount: amount}
}

// release takes a hold back, unless its bucket has already left the window
// (then it no longer counts anyway).
func (h hold) release() {
	w := h.w
	if s := w.slot(h.bucket); w.stamps[s] == h.bucket && w.sums[s] >= h.amount {
		w.sums[s] -= h.amount
		w.total -= h.amount
	}
}
