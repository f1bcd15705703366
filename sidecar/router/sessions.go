package router

import (
	"context"
	"fmt"
	"sync"

	sdkmath "cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/sidecar/chain"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// SessionConfig is how the router's sessions are opened and funded.
type SessionConfig struct {
	Redundancy, Quorum, MinLevel uint32
	PricePerTask                 sdkmath.Int // ucor per result
	MaxTokens                    uint32      // the session's cap; requests above it are refused
	Deposit                      sdkmath.Int // opening deposit and each top-up
}

// sessions keeps one active session per model, owned by the router's key.
type sessions struct {
	c   *chain.Client
	s   *chain.Signer
	cfg SessionConfig
	mu  sync.Mutex // one creation or top-up at a time keeps escrow accounting simple
	ids map[string]uint64
}

// forModel returns the model's session with escrow for n more tasks, creating or
// topping it up from the router's key as needed.
func (m *sessions) forModel(ctx context.Context, model string, n int) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.ids[model]
	if !ok {
		var err error
		if id, err = m.find(ctx, model); err != nil {
			return 0, err
		}
	}
	if id == 0 {
		res, err := m.s.Send(ctx, &sessionstypes.MsgCreateSession{Owner: m.s.Address(), ModelId: model,
			Redundancy: m.cfg.Redundancy, Quorum: m.cfg.Quorum, MinLevel: m.cfg.MinLevel,
			PricePerTask: m.cfg.PricePerTask, MaxTokens: m.cfg.MaxTokens, Deposit: m.cfg.Deposit})
		if err != nil {
			return 0, fmt.Errorf("creating a session for %s: %w", model, err)
		}
		var out sessionstypes.MsgCreateSessionResponse
		if err := chain.MsgResponse(res, 0, &out); err != nil || out.SessionId == 0 {
			return 0, fmt.Errorf("creating a session for %s: no session id in the tx response", model)
		}
		id = out.SessionId
	}
	m.ids[model] = id
	// Top up when the free escrow cannot pay n more tasks (price x redundancy each).
	qctx, cancel := m.c.QueryCtx(ctx)
	bal, err := paymentstypes.NewQueryClient(m.c.Conn()).SessionBalance(qctx, &paymentstypes.QuerySessionBalanceRequest{SessionId: id})
	cancel()
	if err != nil {
		return 0, fmt.Errorf("session %d balance: %w", id, err)
	}
	if need := m.need(n); bal.Balance.Free.LT(need) {
		if err := m.deposit(ctx, id, need.Sub(bal.Balance.Free)); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// need is the escrow n tasks reserve.
func (m *sessions) need(n int) sdkmath.Int {
	return m.cfg.PricePerTask.MulRaw(int64(m.cfg.Redundancy)).MulRaw(int64(max(n, 1)))
}

// topUp deposits into the session unconditionally (enough for n tasks at least):
// submissions racing for the last free escrow found none.
func (m *sessions) topUp(ctx context.Context, id uint64, n int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.deposit(ctx, id, m.need(n))
}

// deposit adds the configured deposit, or atLeast when that is more (a batch of
// tasks larger than one deposit).
func (m *sessions) deposit(ctx context.Context, id uint64, atLeast sdkmath.Int) error {
	amount := m.cfg.Deposit
	if atLeast.GT(amount) {
		amount = atLeast
	}
	if _, err := m.s.Send(ctx, &sessionstypes.MsgDeposit{Sender: m.s.Address(), SessionId: id, Amount: amount}); err != nil {
		return fmt.Errorf("topping up session %d: %w", id, err)
	}
	return nil
}

// find reuses an active session of this router's key for the model with the same
// settings (after a restart), or returns 0.
func (m *sessions) find(ctx context.Context, model string) (uint64, error) {
	var key []byte
	for {
		qctx, cancel := m.c.QueryCtx(ctx)
		res, err := m.c.Sessions.SessionsByOwner(qctx, &sessionstypes.QuerySessionsByOwnerRequest{Owner: m.s.Address(),
			Pagination: &query.PageRequest{Key: key, Limit: 100}})
		cancel()
		if err != nil {
			return 0, fmt.Errorf("listing the router's sessions: %w", err)
		}
		for _, s := range res.Sessions {
			if s.ModelId == model && s.Status == sessionstypes.SESSION_STATUS_ACTIVE && s.Redundancy == m.cfg.Redundancy &&
				s.Quorum == m.cfg.Quorum && s.MaxTokens == m.cfg.MaxTokens && s.PricePerTask.Equal(m.cfg.PricePerTask) {
				return s.Id, nil
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return 0, nil
		}
		key = res.Pagination.NextKey
	}
}
