package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// SessionConfig is how the router's sessions are opened and funded.
type SessionConfig struct {
	Redundancy, Quorum, MinLevel uint32
	PricePerTask                 sdkmath.Int // ucor per result
	MaxTokens                    uint32      // the session's cap; requests above it are refused
	Deposit                      sdkmath.Int // opening deposit and each top-up
}

// escrowRounds bounds the top-up-and-resubmit rounds of one submission that
// found the session's free escrow taken by concurrent requests.
const escrowRounds = 3

// sessions keeps one active session per model, owned by the router's key.
type sessions struct {
	b      backend
	cfg    SessionConfig
	log    *slog.Logger
	now    func() time.Time
	mu     sync.Mutex // one creation or top-up at a time keeps escrow accounting simple
	ids    map[string]uint64
	capDay *window // the router key's deposits in any 24 h (nil: no cap); under mu
	// free is each session's free escrow as last read, less what the router has
	// reserved since (under mu). It is reused for viewTTL, so that a router answering
	// hundreds of requests a second reads a session's balance about once a block,
	// not once a request; a submission that finds it wrong tops up and re-reads.
	free    map[uint64]escrowView
	viewTTL time.Duration
	// pending is the escrow reserved by requests between forModel and the end of
	// their submission (not yet in a block, so not in a balance read): a read
	// counts as that much less. gen counts deposits, so that requests that all found
	// the escrow short at once top up once, not once each (under mu).
	pending sdkmath.Int
	gen     uint64
}

// escrowView is a session's free escrow as the router counts it.
type escrowView struct {
	free sdkmath.Int
	at   time.Time
}

// topUpCapError: the router's key has deposited its daily cap into sessions.
type topUpCapError struct {
	amount, limit uint64
	wait          time.Duration
}

func (e *topUpCapError) Error() string {
	return fmt.Sprintf("a deposit of %d ucor would pass the cap of %d ucor of session top-ups per day; retry after %s",
		e.amount, e.limit, humanWait(e.wait))
}

func (e *topUpCapError) apiError() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "topup_cap_reached",
		Message:    "The router has reached its daily cap on funding its sessions; retry after " + humanWait(e.wait) + ".",
		retryAfter: retryAfterSeconds(e.wait)}
}

// forModel returns the model's session with escrow for n more tasks, creating or
// topping it up from the router's key as needed, and the deposit generation seen
// (for topUp). The caller calls submitted(n) once its submission has ended.
func (m *sessions) forModel(ctx context.Context, model string, n int) (uint64, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, err := m.forModelLocked(ctx, model, n)
	if err == nil {
		m.pending = m.pendingOrZero().Add(m.need(n))
	}
	return id, m.gen, err
}

func (m *sessions) pendingOrZero() sdkmath.Int {
	if m.pending.IsNil() {
		return sdkmath.ZeroInt()
	}
	return m.pending
}

// submitted ends a request's pending reservation (its submission landed or failed).
func (m *sessions) submitted(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.pendingOrZero().Sub(m.need(n))
	if p.IsNegative() {
		p = sdkmath.ZeroInt()
	}
	m.pending = p
}

func (m *sessions) forModelLocked(ctx context.Context, model string, n int) (uint64, error) {
	id, ok := m.ids[model]
	if !ok {
		var err error
		if id, err = m.find(ctx, model); err != nil {
			return 0, err
		}
	}
	if id == 0 {
		h, err := m.reserveDeposit(m.cfg.Deposit, 0, model)
		if err != nil {
			return 0, err
		}
		// Followed to its block whatever the client does: the deposit is the router's.
		res, err := m.b.Send(context.WithoutCancel(ctx), &sessionstypes.MsgCreateSession{Owner: m.b.Address(), ModelId: model,
			Redundancy: m.cfg.Redundancy, Quorum: m.cfg.Quorum, MinLevel: m.cfg.MinLevel,
			PricePerTask: m.cfg.PricePerTask, MaxTokens: m.cfg.MaxTokens, Deposit: m.cfg.Deposit})
		if err != nil {
			m.settleDeposit(h, err)
			return 0, fmt.Errorf("creating a session for %s: %w", model, err)
		}
		m.gen++
		var out sessionstypes.MsgCreateSessionResponse
		if err := chain.MsgResponse(res, 0, &out); err != nil || out.SessionId == 0 {
			return 0, fmt.Errorf("creating a session for %s: no session id in the tx response", model)
		}
		id = out.SessionId
		m.log.Info("router: session opened", "session", id, "model", model, "deposit_ucor", m.cfg.Deposit.String())
	}
	m.ids[model] = id
	// Top up when the free escrow cannot pay n more tasks (price x redundancy each).
	need := m.need(n)
	v, ok := m.free[id]
	if !ok || m.now().Sub(v.at) >= m.viewTTL || v.free.LT(need) {
		free, err := m.b.FreeEscrow(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("session %d balance: %w", id, err)
		}
		// Reservations of submissions not yet in a block are not in the read.
		v = escrowView{free: free.Sub(m.pendingOrZero()), at: m.now()}
	}
	if v.free.LT(need) {
		// Enough for this request and every one between check and block.
		amount, err := m.deposit(ctx, id, need.Add(m.pendingOrZero()).Sub(v.free))
		if err != nil {
			delete(m.free, id)
			return 0, err
		}
		v.free = v.free.Add(amount)
	}
	v.free = v.free.Sub(need) // reserved by this request
	m.free[id] = v
	return id, nil
}

// need is the escrow n tasks reserve.
func (m *sessions) need(n int) sdkmath.Int {
	return m.cfg.PricePerTask.MulRaw(int64(m.cfg.Redundancy)).MulRaw(int64(max(n, 1)))
}

// topUp deposits into the session unconditionally (enough for n tasks at least):
// submissions racing for the last free escrow found none.
// seen is the deposit generation the request saw in forModel: when another request
// has deposited since, this one only retries (a burst of requests that found the
// escrow short together costs one deposit and one block, not one each).
func (m *sessions) topUp(ctx context.Context, id uint64, n int, seen uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.free, id) // the count was wrong: read it again next time
	if m.gen != seen {
		return m.gen, nil
	}
	_, err := m.deposit(ctx, id, m.need(n).Add(m.pendingOrZero()))
	return m.gen, err
}

// deposit adds the configured deposit, or atLeast when that is more (a batch of
// tasks larger than one deposit), within the daily top-up cap, and returns the
// amount deposited.
func (m *sessions) deposit(ctx context.Context, id uint64, atLeast sdkmath.Int) (sdkmath.Int, error) {
	amount := m.cfg.Deposit
	if atLeast.GT(amount) {
		amount = atLeast
	}
	h, err := m.reserveDeposit(amount, id, "")
	if err != nil {
		return sdkmath.Int{}, err
	}
	if _, err := m.b.Send(context.WithoutCancel(ctx), &sessionstypes.MsgDeposit{Sender: m.b.Address(), SessionId: id, Amount: amount}); err != nil {
		m.settleDeposit(h, err)
		return sdkmath.Int{}, fmt.Errorf("topping up session %d: %w", id, err)
	}
	m.gen++
	m.log.Info("router: session topped up", "session", id, "amount_ucor", amount.String())
	return amount, nil
}

// reserveDeposit counts amount against the daily top-up cap, or refuses it with a
// log line for the operator (the router's own key is what the cap protects).
func (m *sessions) reserveDeposit(amount sdkmath.Int, session uint64, model string) (*hold, error) {
	if m.capDay == nil {
		return nil, nil
	}
	now := m.now()
	a := uint64(0)
	ok, wait := false, time.Duration(0)
	if amount.IsUint64() {
		a = amount.Uint64()
		ok, wait = m.capDay.fits(now, a)
	}
	if !ok {
		e := &topUpCapError{amount: a, limit: m.capDay.limit, wait: max(wait, time.Minute)}
		m.log.Warn("router: session top-up refused: the daily top-up cap is reached; requests needing escrow get 503 until it frees",
			"session", session, "model", model, "amount_ucor", amount.String(), "cap_ucor_per_day", m.capDay.limit,
			"deposited_ucor_last_24h", m.capDay.total, "retry_after", humanWait(e.wait))
		return nil, e
	}
	h := m.capDay.add(now, a)
	return &h, nil
}

// settleDeposit gives back a deposit's place under the cap when its tx is known
// not to be in a block (refused, failed, never sent); an ordered tx that was not
// seen in time may still land, so it keeps counting.
func (m *sessions) settleDeposit(h *hold, err error) {
	var te *chain.TxError
	var se *chain.SimulationError
	if h != nil && (errors.As(err, &te) || errors.As(err, &se)) {
		h.release()
	}
}

// find reuses an active session of this router's key for the model with the same
// settings (after a restart), or returns 0.
func (m *sessions) find(ctx context.Context, model string) (uint64, error) {
	var page []byte
	for {
		list, next, err := m.b.SessionsByOwner(ctx, m.b.Address(), page)
		if err != nil {
			return 0, fmt.Errorf("listing the router's sessions: %w", err)
		}
		for _, s := range list {
			if s.ModelId == model && s.Status == sessionstypes.SESSION_STATUS_ACTIVE && s.Redundancy == m.cfg.Redundancy &&
				s.Quorum == m.cfg.Quorum && s.MaxTokens == m.cfg.MaxTokens && s.PricePerTask.Equal(m.cfg.PricePerTask) {
				return s.Id, nil
			}
		}
		if len(next) == 0 {
			return 0, nil
		}
		page = next
	}
}
