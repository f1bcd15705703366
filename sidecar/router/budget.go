package router

import (
	"fmt"
	"sync"
	"time"
)

// Budgets caps what the router spends, in ucor (0: no cap). A request's cost is
// its tasks (inputs × redundancy) × the price per task; it is reserved in every
// window before anything is submitted and given back if nothing was submitted.
// Minutes are sliding windows of 60 one-second buckets, days of 1,440 one-minute
// buckets (see window): what a key, or the router as a whole, spends in any 59 s
// or any 23 h 59 min stays within the budget.
type Budgets struct {
	KeyPerMinute, KeyPerDay       uint64 // each API key
	GlobalPerMinute, GlobalPerDay uint64 // all keys together
}

const (
	minuteBuckets = 60
	dayBuckets    = 24 * 60
)

// budgets holds the windows; one lock makes a reservation in all four windows
// all-or-nothing.
type budgets struct {
	cfg    Budgets
	mu     sync.Mutex
	global []*window            // the global windows that are on
	keys   map[string][]*window // per key, made on first use (keys come from the keys file: bounded)
}

func newBudgets(cfg Budgets) *budgets {
	b := &budgets{cfg: cfg, keys: map[string][]*window{}}
	b.global = windows(cfg.GlobalPerMinute, cfg.GlobalPerDay)
	return b
}

// windows makes the minute and day windows whose limits are set.
func windows(perMinute, perDay uint64) []*window {
	var ws []*window
	if perMinute > 0 {
		ws = append(ws, newWindow(perMinute, time.Minute, minuteBuckets))
	}
	if perDay > 0 {
		ws = append(ws, newWindow(perDay, 24*time.Hour, dayBuckets))
	}
	return ws
}

// budgetError names the budget that refused a cost and when to retry.
type budgetError struct {
	scope string // "key" or "global"
	limit uint64
	span  string // "minute" or "day"
	wait  time.Duration
	never bool // the cost alone is over the budget
}

func (e *budgetError) Error() string {
	if e.never {
		return fmt.Sprintf("this request costs more than the %s budget of %d ucor per %s", e.scope, e.limit, e.span)
	}
	return fmt.Sprintf("%s budget of %d ucor per %s exceeded; retry after %s", e.scope, e.limit, e.span, humanWait(e.wait))
}

// reserve adds cost to the key's and the global windows, or to none of them.
func (b *budgets) reserve(key string, cost uint64, now time.Time) ([]hold, *budgetError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kw, ok := b.keys[key]
	if !ok {
		kw = windows(b.cfg.KeyPerMinute, b.cfg.KeyPerDay)
		b.keys[key] = kw
	}
	// The most restrictive refusal is reported: the one with the longest wait.
	var worst *budgetError
	check := func(scope string, ws []*window) {
		for _, w := range ws {
			ok, wait := w.fits(now, cost)
			if ok {
				continue
			}
			span := "minute"
			if w.width*time.Duration(len(w.sums)) > time.Hour {
				span = "day"
			}
			e := &budgetError{scope: scope, limit: w.limit, span: span, wait: wait, never: wait == 0}
			if worst == nil || e.never || (!worst.never && e.wait > worst.wait) {
				worst = e
			}
		}
	}
	check("key", kw)
	check("global", b.global)
	if worst != nil {
		return nil, worst
	}
	holds := make([]hold, 0, len(kw)+len(b.global))
	for _, w := range kw {
		holds = append(holds, w.add(now, cost))
	}
	for _, w := range b.global {
		holds = append(holds, w.add(now, cost))
	}
	return holds, nil
}

// release gives back holds of a reservation whose tasks were not submitted.
func (b *budgets) release(holds []hold) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range holds {
		h.release()
	}
}

// humanWait renders a wait in whole seconds, minutes or hours and minutes (rounded up).
func humanWait(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	switch {
	case s < 120:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min", (s+59)/60)
	default:
		m := (s + 59) / 60
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
}
