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
