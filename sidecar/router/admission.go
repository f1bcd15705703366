package router

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Admission: before a request may submit anything, its tasks (inputs ×
// redundancy: a 16-input embeddings request at redundancy 3 is 48 tasks) are
// taken from the key's task rate and its cost (tasks × price) is reserved in the
// key's and the global budgets. A request that then submits nothing (a bad model,
// no serving nodes, a client gone before submission, a refused tx) gives both
// back; one whose tasks were submitted keeps them: the chain has charged them.

// ticket is one admitted request's claim on the key's task rate and the budgets.
type ticket struct {
	key   string // the API key, only ever kept in memory
	keyID string // what logs name the key by
	tasks uint64
	cost  uint64 // ucor
	holds []hold
	rate  *rate.Reservation
	r     *Router
	done  bool
	slots int64 // chain tasks counted in the router's in-flight total until end
}

// keyID names an API key in logs without revealing it: a prefix of its sha256.
func keyID(key string) string {
	if key == anonymousKey {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "key-" + hex.EncodeToString(sum[:4])
}

const anonymousKey = "anonymous"

type keyCtx struct{}

func withKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

func keyFrom(ctx context.Context) string {
	if k, ok := ctx.Value(keyCtx{}).(string); ok {
		return k
	}
	return anonymousKey
}

// taskLimiter is a token bucket per key counting tasks (golang.org/x/time/rate).
type taskLimiter struct {
	perMinute int
	burst     int
	mu        sync.Mutex
	byKey     map[string]*rate.Limiter // keys come from the keys file: bounded
}

func (l *taskLimiter) limiter(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.byKey[key]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.burst)
		l.byKey[key] = lim
	}
	return lim
}

// admit takes n inputs' tasks from the key's task rate and reserves their cost in
// the budgets, or answers 429 naming the limit that was hit (with Retry-After).
func (r *Router) admit(ctx context.Context, inputs int) (*ticket, *apiError) {
	key := keyFrom(ctx)
	hi, tasks := bits.Mul64(uint64(max(inputs, 1)), uint64(r.cfg.Sessions.Redundancy))
	hi2, cost := bits.Mul64(tasks, r.unitPrice)
	if hi != 0 || hi2 != 0 {
		return nil, badRequest("this request is too large", "")
	}
	t := &ticket{key: key, keyID: keyID(key), tasks: tasks, cost: cost, r: r}
	// Load shedding first: past MaxInFlight chain tasks waiting for their results, a
	// request is refused at once with nothing charged, rather than queued behind
	// work the chain cannot finish before the request's timeout.
	if m := int64(r.cfg.MaxInFlight); m > 0 {
		n := int64(max(inputs, 1))
		if cur := r.inflight.Add(n); cur > m {
			r.inflight.Add(-n)
			r.met.shed.Add(1)
			return nil, &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "overloaded",
				Message:    fmt.Sprintf("The router has %d tasks in flight, its limit; nothing was charged. Retry after 1 s.", m),
				retryAfter: "1"}
		}
		t.slots = n
	}
	now := r.now()
	if r.tasks != nil {
		res := r.tasks.limiter(key).ReserveN(now, int(tasks))
		if !res.OK() {
			t.leave()
			return nil, badRequest(fmt.Sprintf("this request is %d tasks (inputs × redundancy %d); a key may submit at most %d at once",
				tasks, r.cfg.Sessions.Redundancy, r.tasks.burst), "")
		}
		if d := res.DelayFrom(now); d > 0 {
			res.CancelAt(now)
			t.leave()
			return nil, tooMany("task_rate_exceeded", d, fmt.Sprintf("key task rate of %d tasks per minute exceeded (this request is %d tasks: inputs × redundancy %d); retry after %s",
				r.tasks.perMinute, tasks, r.cfg.Sessions.Redundancy, humanWait(d)))
		}
		t.rate = res
	}
	holds, be := r.budgets.reserve(key, cost, now)
	if be != nil {
		t.leave()
		if t.rate != nil {
			t.rate.CancelAt(now)
		}
		if be.never {
			return nil, badRequest(be.Error(), "")
		}
		return nil, tooMany("budget_exceeded", be.wait, be.Error())
	}
	t.holds = holds
	return t, nil
}

// end is deferred by every admitted request: it gives back a reservation left
// unsubmitted and the request's place in the in-flight count.
func (t *ticket) end() {
	t.release()
	t.leave()
}

// leave frees the request's in-flight slots (once).
func (t *ticket) leave() {
	if t != nil && t.slots > 0 {
		t.r.inflight.Add(-t.slots)
		t.slots = 0
	}
}

// release gives back what a request reserved when it submitted nothing.
func (t *ticket) release() {
	if t == nil || t.done {
		return
	}
	t.done = true
	if t.rate != nil {
		t.rate.CancelAt(t.r.now())
	}
	t.r.budgets.release(t.holds)
}

// commit keeps the reservation: the tasks were submitted and the chain charges them.
func (t *ticket) commit() {
	if t != nil {
		t.done = true
	}
}

// tooMany is a 429 with Retry-After in whole seconds (rounded up).
func tooMany(code string, wait time.Duration, msg string) *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Type: "requests", Code: code, Message: msg,
		retryAfter: retryAfterSeconds(wait)}
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10)
}
