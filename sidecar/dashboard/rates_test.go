package dashboard

import (
	"sync/atomic"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// endBlockEvent is an event as the node's websocket delivers it for a typed event
// emitted in EndBlock: the SDK appends mode=EndBlock, a value that is not JSON.
func endBlockEvent(t *testing.T, ev *sessionstypes.EventTaskEnded) abci.Event {
	t.Helper()
	e, err := sdk.TypedEventToEvent(ev)
	require.NoError(t, err)
	out := abci.Event(e)
	out.Attributes = append(out.Attributes, abci.EventAttribute{Key: "mode", Value: "EndBlock", Index: true})
	return out
}

// txEvent is the same for an event emitted by a message: the SDK appends msg_index.
func txEvent(t *testing.T, ev *sessionstypes.EventTaskEnded) abci.Event {
	t.Helper()
	e, err := sdk.TypedEventToEvent(ev)
	require.NoError(t, err)
	out := abci.Event(e)
	out.Attributes = append(out.Attributes, abci.EventAttribute{Key: "msg_index", Value: "0", Index: true})
	return out
}

// clock is a settable time source for the live hub.
type clock struct{ ns atomic.Int64 }

func newClock(t0 time.Time) *clock { c := &clock{}; c.ns.Store(t0.UnixNano()); return c }
func (c *clock) now() time.Time    { return time.Unix(0, c.ns.Load()) }
func (c *clock) set(t time.Time)   { c.ns.Store(t.UnixNano()) }

// TestOverviewRatesWithValidatedTasks: tasks ending in EndBlock inside the window
// show on the overview as tasks per minute, validated share and tokens per second,
// divided by the time watched; they leave the figures once out of the window.
func TestOverviewRatesWithValidatedTasks(t *testing.T) {
	f := newFake(3, 2, 5, 1)
	s := testServer(f)
	t0 := time.Unix(1_800_000_000, 0)
	c := newClock(t0)
	s.Live.now = c.now

	s.Live.onGap("subscribed") // the feed starts at t0
	c.set(t0.Add(30 * time.Second))
	s.Live.onBlock(chain.Block{Height: 10, Events: []abci.Event{
		endBlockEvent(t, &sessionstypes.EventTaskEnded{TaskId: 1, SessionId: 1, Status: sessionstypes.TASK_STATUS_VALIDATED}),
		endBlockEvent(t, &sessionstypes.EventTaskEnded{TaskId: 2, SessionId: 1, Status: sessionstypes.TASK_STATUS_VALIDATED}),
		endBlockEvent(t, &sessionstypes.EventTaskEnded{TaskId: 3, SessionId: 1, Status: sessionstypes.TASK_STATUS_FAILED}),
	}})
	c.set(t0.Add(90 * time.Second))
	s.Live.onBlock(chain.Block{Height: 11, Events: []abci.Event{
		endBlockEvent(t, &sessionstypes.EventTaskEnded{TaskId: 4, SessionId: 1, Status: sessionstypes.TASK_STATUS_EXPIRED}),
	}})

	// Two minutes watched: 4 ended → 2 per minute; 2 of 3 judged validated; the fake's
	// consensus node produced 7 tokens per validated task → 14 tokens / 120 s.
	c.set(t0.Add(2 * time.Minute))
	r := s.Live.Rates()
	require.Equal(t, 2, r.Validated)
	require.Equal(t, 1, r.Failed)
	require.InDelta(t, 2.0, r.TasksPerMinute, 1e-9)
	require.InDelta(t, 2.0/3, r.ValidatedShare, 1e-9)
	require.InDelta(t, 14.0/120, r.TokensPerSecond, 1e-9)
	require.Equal(t, "2m0s", r.Window)

	_, body := get(t, s.Handler(), "/")
	require.Contains(t, body, `<b id="tasks-per-minute">2</b>`)
	require.Contains(t, body, `<b id="validated-share">66.67%</b>`)
	require.Contains(t, body, `<b id="tokens-per-second">0.1167</b>`)
	require.Contains(t, body, "2 validated, 1 failed")
	_, js := get(t, s.Handler(), "/?format=json")
	require.Contains(t, js, `"tasks_per_minute":2,`)
	require.Contains(t, js, `"window_seconds":120`)

	// Past the 10-minute span the first block leaves the window, then the second.
	c.set(t0.Add(10*time.Minute + 45*time.Second))
	r = s.Live.Rates()
	require.Zero(t, r.Validated)
	require.InDelta(t, 0.1, r.TasksPerMinute, 1e-9) // the expired task, over 10 minutes
	require.Zero(t, r.TokensPerSecond)
	c.set(t0.Add(12 * time.Minute))
	r = s.Live.Rates()
	require.Zero(t, r.TasksPerMinute)
	require.Zero(t, r.ValidatedShare)
}

// TestRatesRightAfterStart: seconds after the feed starts, the rates are divided by
// a minute, not by the few seconds watched.
func TestRatesRightAfterStart(t *testing.T) {
	s := testServer(newFake(3, 2, 5, 1))
	t0 := time.Unix(1_800_000_000, 0)
	c := newClock(t0)
	s.Live.now = c.now
	s.Live.onGap("subscribed")
	c.set(t0.Add(2 * time.Second))
	s.Live.onBlock(chain.Block{Height: 3, Events: []abci.Event{
		endBlockEvent(t, &sessionstypes.EventTaskEnded{TaskId: 1, SessionId: 1, Status: sessionstypes.TASK_STATUS_VALIDATED}),
	}})
	c.set(t0.Add(5 * time.Second))
	r := s.Live.Rates()
	require.InDelta(t, 1.0, r.TasksPerMinute, 1e-9)
	require.InDelta(t, 7.0/60, r.TokensPerSecond, 1e-9)
	require.Equal(t, "1m0s", r.Window)
	require.InDelta(t, 1.0, r.ValidatedShare, 1e-9)
}
