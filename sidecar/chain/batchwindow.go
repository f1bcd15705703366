package chain

import sdk "github.com/cosmos/cosmos-sdk/types"

// A batcher's window (BatcherConfig.Window) bounds the messages of one key that are
// in txs sent but not yet known to have landed or failed. The chain may bound how
// many messages of a kind one block takes (x/sessions: a session's submits, by
// max_queued_per_session, since its queue empties only in EndBlock); txs in flight
// can land in the same block, so without the bound two of them together overflow it
// and one fails in its block, to be split and sent again. Groups that do not fit
// wait, in order, and go at the first send point after the window has room.

// windowUse is what one group holds of the window: messages per key.
type windowUse struct {
	key   string
	limit int
	n     int
}

// windowOf is the window use of msgs (nil without a Window or keyed messages).
func (b *Batcher) windowOf(msgs []sdk.Msg) []windowUse {
	if b.cfg.Window == nil {
		return nil
	}
	var use []windowUse
next:
	for _, m := range msgs {
		k, limit := b.cfg.Window(m)
		if k == "" || limit <= 0 {
			continue
		}
		for i := range use {
			if use[i].key == k {
				use[i].n++
				continue next
			}
		}
		use = append(use, windowUse{key: k, limit: limit, n: 1})
	}
	return use
}

// fitsLocked reports whether a group using use may be sent now: each key's
// messages in flight plus those already taken for this tx (taking) plus the
// group's stay within the limit. A group over the limit on its own goes when
// nothing of its key is in flight, so that it fails on the chain with its own
// error rather than wait for ever.
func (b *Batcher) fitsLocked(use []windowUse, taking map[string]int) bool {
	for _, u := range use {
		held := b.inflight[u.key] + taking[u.key]
		if held > 0 && held+u.n > u.limit {
			return false
		}
	}
	return true
}

// admitLocked splits groups (waiting ones first, then pending, in order) into
// those sent now, which take their share of the window, and those left waiting:
// once a group of a key waits, the later groups of that key wait too, so a key's
// messages keep their order.
func (b *Batcher) admitLocked(groups []*group) (send, wait []*group) {
	if b.cfg.Window == nil {
		return groups, nil
	}
	taking := map[string]int{}
	blocked := map[string]bool{}
	for _, g := range groups {
		stuck := false
		for _, u := range g.window {
			stuck = stuck || blocked[u.key]
		}
		if stuck || !b.fitsLocked(g.window, taking) {
			for _, u := range g.window {
				blocked[u.key] = true
			}
			wait = append(wait, g)
			continue
		}
		for _, u := range g.window {
			taking[u.key] += u.n
		}
		send = append(send, g)
	}
	if b.inflight == nil {
		b.inflight = map[string]int{}
	}
	for k, n := range taking {
		b.inflight[k] += n
	}
	// A group is admitted once: a resend after a split keeps its share until its
	// outcome is known.
	for _, g := range send {
		if len(g.window) > 0 {
			use, done := g.window, g.done
			g.done = func(r BatchResult) {
				b.release(use)
				done(r)
			}
		}
	}
	for _, g := range wait {
		if !g.waited {
			g.waited = true
			b.Stats.Windowed.Add(1)
		}
	}
	return send, wait
}

// release returns a group's share of the window once its outcome is known, and
// schedules the groups waiting for it.
func (b *Batcher) release(use []windowUse) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range use {
		if b.inflight[u.key] -= u.n; b.inflight[u.key] <= 0 {
			delete(b.inflight, u.key)
		}
	}
	if len(b.waiting) > 0 && !b.closed {
		b.scheduleLocked()
	}
}
