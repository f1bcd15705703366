package router

import (
	"net/http"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"
)

// TestChainViewsReadOncePerTTL: requests within ViewTTL reuse the model record, the
// eligible node count and the session's free escrow (less what each request
// reserved); after it, the router reads them again. A refusal is never remembered.
func TestChainViewsReadOncePerTTL(t *testing.T) {
	f := newFakeRouter(t, Config{ViewTTL: time.Second})
	for range 5 {
		require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
	}
	f.chain.mu.Lock()
	require.Equal(t, 1, f.chain.modelReads)
	require.Equal(t, 1, f.chain.eligibleReads)
	require.Equal(t, 1, f.chain.balanceReads, "the opening deposit and 4 more requests counted locally")
	f.chain.mu.Unlock()

	f.clock.add(time.Second)
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
	f.chain.mu.Lock()
	require.Equal(t, 2, f.chain.modelReads)
	require.Equal(t, 2, f.chain.balanceReads)
	f.chain.errEligible = errorString("node down")
	f.chain.mu.Unlock()
	f.clock.add(time.Second)
	require.Equal(t, http.StatusServiceUnavailable, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
	f.chain.mu.Lock()
	f.chain.errEligible = nil
	f.chain.mu.Unlock()
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code, "the error was not remembered")
	f.chain.mu.Lock()
	require.Equal(t, 4, f.chain.modelReads)
	f.chain.mu.Unlock()
}

// TestEscrowCountedLocallyTopsUpOnTime: with the balance read once, the router counts
// each request's reservation and tops up when its count says the next request does
// not fit, before the chain would refuse it; no submission fails for escrow.
func TestEscrowCountedLocallyTopsUpOnTime(t *testing.T) {
	// A deposit pays 2 requests (2 × 1000 × 3).
	f := newFakeRouter(t, Config{ViewTTL: time.Hour,
		Sessions: SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(6_000)}})
	for range 6 {
		require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
	}
	f.chain.mu.Lock()
	defer f.chain.mu.Unlock()
	require.Equal(t, []uint64{6_000, 6_000, 6_000}, f.chain.deposits, "the opening deposit and a top-up every 2 requests")
	require.Equal(t, 3, f.chain.balanceReads, "read again only when the count ran short")
	require.Len(t, f.chain.submitted, 6)
}

// TestOverloadShedsUncharged: past MaxInFlight chain tasks in flight a request gets
// 503 "overloaded" with Retry-After, nothing is submitted or charged, and the slots
// come back when requests end.
func TestOverloadShedsUncharged(t *testing.T) {
	f := newFakeRouter(t, Config{MaxInFlight: 2, MaxEmbeddingInputs: 4})
	f.inflight.Store(1) // one task of another request waits for its result
	rec := f.call(t, "/v1/embeddings", "sk-a", embedBody(2))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	require.Equal(t, "overloaded", apiErr(t, rec).Error.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	require.Empty(t, f.chain.submitted, "nothing submitted")
	require.Equal(t, int64(1), f.inflight.Load(), "the refused request holds no slot")

	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code, "one more task fits")
	require.Equal(t, int64(1), f.inflight.Load(), "its slot came back when it was answered")
	f.inflight.Store(0)
	require.Equal(t, http.StatusOK, f.call(t, "/v1/embeddings", "sk-a", embedBody(2)).Code)
	require.Equal(t, int64(0), f.inflight.Load())
	require.Equal(t, uint64(1), f.met.shed.Load())
}

// TestConcurrentShortEscrowTopsUpOnce: requests that all found the session's escrow
// short in one block top up once, with enough for all of them, and all succeed: not
// one deposit (and one block's wait) per request.
func TestConcurrentShortEscrowTopsUpOnce(t *testing.T) {
	f := newFakeRouter(t, Config{ViewTTL: time.Hour,
		Sessions: SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(3_000)}})
	f.chain.mu.Lock()
	f.chain.phantomFree = 300_000 // the balance read promises escrow that others spend
	f.chain.mu.Unlock()
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
	gate := make(chan struct{})
	f.chain.mu.Lock()
	f.chain.gate = gate
	f.chain.mu.Unlock()
	const n = 8
	codes := make(chan int, n)
	for range n {
		go func() { codes <- f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code }()
	}
	require.Eventually(t, func() bool {
		f.chain.mu.Lock()
		defer f.chain.mu.Unlock()
		return f.chain.submits == 1+n
	}, 5*time.Second, time.Millisecond, "all requests at the chain together")
	f.chain.mu.Lock()
	f.chain.gate = nil
	f.chain.mu.Unlock()
	close(gate)
	for range n {
		require.Equal(t, http.StatusOK, <-codes)
	}
	f.chain.mu.Lock()
	defer f.chain.mu.Unlock()
	require.Equal(t, []uint64{3_000, 3_000 * (1 + n)}, f.chain.deposits, "one top-up for the whole burst")
}
