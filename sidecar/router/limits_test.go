package router

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// A 16-input embeddings request is 48 tasks at redundancy 3, not one request: the
// key's task rate is spent by it, and the next chat (3 tasks) waits for 3 tasks'
// worth of refill (3 s at 60 tasks per minute).
func TestTaskRateCountsInputsTimesRedundancy(t *testing.T) {
	f := newFakeRouter(t, Config{RatePerMinute: 60, Burst: 20, TaskRatePerMinute: 60, TaskBurst: 48})
	rec := f.call(t, "/v1/embeddings", "sk-a", embedBody(16))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = f.call(t, "/v1/chat/completions", "sk-a", chatBody)
	require.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
	e := apiErr(t, rec)
	require.Equal(t, "task_rate_exceeded", e.Error.Code)
	require.Equal(t, "key task rate of 60 tasks per minute exceeded (this request is 3 tasks: inputs × redundancy 3); retry after 3 s", e.Error.Message)
	require.Equal(t, "3", rec.Header().Get("Retry-After"))
	require.Len(t, f.chain.submitted, 1, "the refused request submitted nothing")
	// Another key has its own tasks.
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-b", chatBody).Code)
	f.clock.add(3 * time.Second)
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
}

func TestKeyBudgetPerMinute(t *testing.T) {
	f := newFakeRouter(t, Config{Budgets: Budgets{KeyPerMinute: 100_000}})
	for _, c := range []struct{ path, body string }{ // 48,000 + 48,000 + 3,000 ucor
		{"/v1/embeddings", embedBody(16)}, {"/v1/embeddings", embedBody(16)}, {"/v1/chat/completions", chatBody}} {
		rec := f.call(t, c.path, "sk-a", c.body)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
	f.clock.add(10 * time.Second)
	rec := f.call(t, "/v1/chat/completions", "sk-a", chatBody) // 102,000 > 100,000
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	e := apiErr(t, rec)
	require.Equal(t, "budget_exceeded", e.Error.Code)
	require.Equal(t, "key budget of 100000 ucor per minute exceeded; retry after 50 s", e.Error.Message)
	require.Equal(t, "50", rec.Header().Get("Retry-After"))
	require.Len(t, f.chain.submitted, 3, "nothing submitted for the refused request")
	// The other key's budget is its own.
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-b", chatBody).Code)
	// A minute after the spending it has left the window.
	f.clock.add(50 * time.Second)
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
}

func TestKeyBudgetPerDay(t *testing.T) {
	f := newFakeRouter(t, Config{Budgets: Budgets{KeyPerMinute: 60_000, KeyPerDay: 100_000}})
	require.Equal(t, http.StatusOK, f.call(t, "/v1/embeddings", "sk-a", embedBody(16)).Code)
	f.clock.add(61 * time.Second)
	require.Equal(t, http.StatusOK, f.call(t, "/v1/embeddings", "sk-a", embedBody(16)).Code)
	f.clock.add(61 * time.Second)
	rec := f.call(t, "/v1/embeddings", "sk-a", embedBody(2)) // 96,000 + 6,000 > 100,000 in a day
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	e := apiErr(t, rec)
	require.Equal(t, "key budget of 100000 ucor per day exceeded; retry after 23 h 58 min", e.Error.Message)
	// The day's first spending leaves the window 24 h after its minute began.
	require.Equal(t, "86278", rec.Header().Get("Retry-After"))
	f.clock.add(86278 * time.Second)
	require.Equal(t, http.StatusOK, f.call(t, "/v1/embeddings", "sk-a", embedBody(2)).Code)
}

func TestGlobalBudget(t *testing.T) {
	f := newFakeRouter(t, Config{Budgets: Budgets{GlobalPerMinute: 60_000, GlobalPerDay: 1_000_000}})
	require.Equal(t, http.StatusOK, f.call(t, "/v1/embeddings", "sk-a", embedBody(16)).Code)  // 48,000
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-b", chatBody).Code) // 51,000
	rec := f.call(t, "/v1/embeddings", "sk-b", embedBody(4))                                  // 63,000 > 60,000
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	require.Equal(t, "global budget of 60000 ucor per minute exceeded; retry after 60 s", apiErr(t, rec).Error.Message)
	require.Equal(t, "60", rec.Header().Get("Retry-After"))
}

// Requests that submit nothing give their reservation back: a bad model, no
// serving nodes, a tx the chain refused.
func TestReservationReleasedWhenNothingIsSubmitted(t *testing.T) {
	f := newFakeRouter(t, Config{TaskRatePerMinute: 1, TaskBurst: 48, Budgets: Budgets{KeyPerMinute: 48_000, GlobalPerDay: 48_000}})
	for range 3 {
		rec := f.call(t, "/v1/embeddings", "sk-a", `{"model":"nope","input":"x"}`)
		require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
	}
	f.chain.errSubmit = &chain.TxError{Hash: "AB", Codespace: "sdk", Code: 11, Log: "out of gas in location: WriteFlat; gasWanted: 100, gasUsed: 200"}
	require.Equal(t, http.StatusServiceUnavailable, f.call(t, "/v1/embeddings", "sk-a", embedBody(16)).Code)
	f.chain.errSubmit = nil
	rec := f.call(t, "/v1/embeddings", "sk-a", embedBody(16))
	require.Equal(t, http.StatusOK, rec.Code, "the full budget and task burst are still there: %s", rec.Body.String())
	rec = f.call(t, "/v1/chat/completions", "sk-a", chatBody)
	require.Equal(t, http.StatusTooManyRequests, rec.Code, "and now they are spent")
}

// Limits that a full request could never pass are refused at start-up.
func TestNewRefusesLimitsNoRequestCanPass(t *testing.T) {
	sc := SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(10_000)}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{TaskRatePerMinute: 60, TaskBurst: 47}, "task burst of 47 is less than one full embeddings request (16 inputs × redundancy 3 = 48 tasks)"},
		{Config{Budgets: Budgets{KeyPerMinute: 47_999}}, "key budget per minute of 47999 ucor"},
		{Config{Budgets: Budgets{KeyPerDay: 1}}, "key budget per day"},
		{Config{Budgets: Budgets{GlobalPerMinute: 1}}, "global budget per minute"},
		{Config{Budgets: Budgets{GlobalPerDay: 1}}, "global budget per day"},
		{Config{TopUpCapPerDay: 9_999}, "top-up cap of 9999 ucor per day is less than one deposit"},
	} {
		c.cfg.Sessions = sc
		_, err := newRouter(c.cfg, newFakeChain(), nil)
		require.ErrorContains(t, err, c.want)
	}
	_, err := newRouter(Config{Sessions: SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewIntFromUint64(1 << 62), MaxTokens: 1, Deposit: sdkmath.NewInt(1)}}, newFakeChain(), nil)
	require.ErrorContains(t, err, "overflows")
	r, err := newRouter(Config{Sessions: sc, TaskRatePerMinute: 60}, newFakeChain(), nil)
	require.NoError(t, err)
	require.Equal(t, 48, r.cfg.TaskBurst, "the task burst defaults to one full embeddings request")
}

// The router's own key deposits at most the daily cap into its sessions; then it
// refuses with a log line, and clients get 503 with Retry-After.
func TestTopUpCapPerDay(t *testing.T) {
	f := newFakeRouter(t, Config{MaxEmbeddingInputs: 2, TopUpCapPerDay: 12_000,
		Sessions: SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(6_000)}})
	for i := range 4 { // the opening deposit and one top-up pay 4 chats
		rec := f.call(t, "/v1/chat/completions", "sk-a", chatBody)
		require.Equal(t, http.StatusOK, rec.Code, "chat %d: %s", i, rec.Body.String())
	}
	require.Equal(t, []uint64{6_000, 6_000}, f.chain.deposits)
	f.clock.add(time.Hour)
	rec := f.call(t, "/v1/chat/completions", "sk-a", chatBody)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	e := apiErr(t, rec)
	require.Equal(t, "topup_cap_reached", e.Error.Code)
	require.Equal(t, "The router has reached its daily cap on funding its sessions; retry after 23 h 0 min.", e.Error.Message)
	require.Equal(t, "82800", rec.Header().Get("Retry-After"))
	require.Equal(t, []uint64{6_000, 6_000}, f.chain.deposits, "no deposit past the cap")
	require.Len(t, f.chain.submitted, 4)
	require.Contains(t, f.logs.String(), "session top-up refused: the daily top-up cap is reached")
	require.Contains(t, f.logs.String(), "cap_ucor_per_day=12000")
	// A day after the first deposits they no longer count.
	f.clock.add(23 * time.Hour)
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
}

// The top-up after a submission that found the escrow spent by concurrent requests
// is under the same cap, and the refused request is not charged.
func TestTopUpCapAppliesToTheRetryTopUp(t *testing.T) {
	f := newFakeRouter(t, Config{MaxEmbeddingInputs: 1, TopUpCapPerDay: 6_000, Budgets: Budgets{KeyPerMinute: 3_000},
		Sessions: SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(6_000)}})
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
	f.clock.add(time.Minute)
	f.chain.mu.Lock()
	f.chain.free[1], f.chain.phantomFree = 0, 3_000 // spent by others after the router looked
	f.chain.mu.Unlock()
	rec := f.call(t, "/v1/chat/completions", "sk-a", chatBody)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	require.Equal(t, "topup_cap_reached", apiErr(t, rec).Error.Code)
	require.Equal(t, []uint64{6_000}, f.chain.deposits)
	require.Len(t, f.chain.submitted, 1)
	f.chain.phantomFree = 0
	f.chain.free[1] = 3_000
	require.Equal(t, http.StatusOK, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code, "the refused request's budget was given back")
}

// After N failed authentications in the window an address gets 429, even with a
// valid key (a guess cannot be confirmed); other addresses are not affected.
func TestFailedAuthenticationsAreRateLimited(t *testing.T) {
	f := newFakeRouter(t, Config{AuthLimit: AuthLimit{Failures: 3, Window: time.Minute}})
	from := func(ip, key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
		req.RemoteAddr = ip
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec
	}
	for _, k := range []string{"guess-1", "", "guess-3"} {
		require.Equal(t, http.StatusUnauthorized, from("203.0.113.7:4000", k).Code)
	}
	f.clock.add(10 * time.Second)
	for _, k := range []string{"guess-4", "sk-a"} {
		rec := from("203.0.113.7:4001", k)
		require.Equal(t, http.StatusTooManyRequests, rec.Code, k)
		e := apiErr(t, rec)
		require.Equal(t, "too_many_failed_authentications", e.Error.Code)
		require.Equal(t, "50", rec.Header().Get("Retry-After"))
	}
	require.Equal(t, http.StatusBadRequest, from("203.0.113.8:4000", "sk-a").Code, "another address")
	// IPv6 clients are counted per /64.
	for i := range 3 {
		require.Equal(t, http.StatusUnauthorized, from("[2001:db8:1:2::"+string(rune('a'+i))+"]:443", "x").Code)
	}
	require.Equal(t, http.StatusTooManyRequests, from("[2001:db8:1:2:ffff::1]:443", "sk-a").Code)
	require.Equal(t, http.StatusBadRequest, from("[2001:db8:1:3::1]:443", "sk-a").Code)
	f.clock.add(50 * time.Second)
	require.Equal(t, http.StatusBadRequest, from("203.0.113.7:4002", "sk-a").Code, "the window has ended")
}

func TestFailedAuthTableIsBounded(t *testing.T) {
	a := newAuthLimiter(AuthLimit{Failures: 1, Window: time.Hour, TableSize: 2})
	now := time.Unix(1000, 0)
	for _, ip := range []string{"10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1"} {
		a.fail(clientPrefix(ip), now)
	}
	require.Equal(t, 2, a.table.Len())
	_, blocked := a.blocked(clientPrefix("10.0.0.3:9"), now)
	require.True(t, blocked)
	_, blocked = a.blocked(clientPrefix("10.0.0.1:9"), now)
	require.False(t, blocked, "the least recent was evicted")
}

// Disconnects: every submission is followed to its block and logged with the key
// id, task ids and cost, also when the client has gone (the issue saw 4 of 5 such
// submissions unlogged); their cost stays counted. The API key never reaches the log.
func TestDisconnectedClientsSubmissionsAreLogged(t *testing.T) {
	f := newFakeRouter(t, Config{MaxEmbeddingInputs: 1, Budgets: Budgets{KeyPerMinute: 15_000}})
	f.chain.gate = make(chan struct{})
	const n = 5
	done := make(chan int, n)
	for range n {
		ctx, cancel := contextWithCancel()
		req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(chatBody)).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer sk-a")
		go func() {
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			done <- rec.Code
		}()
		require.Eventually(t, func() bool { f.chain.mu.Lock(); defer f.chain.mu.Unlock(); return f.chain.submits > 0 }, 5*time.Second, time.Millisecond)
		cancel() // the client leaves while its tx waits for a block
		f.chain.mu.Lock()
		f.chain.submits = 0
		f.chain.mu.Unlock()
	}
	close(f.chain.gate)
	for range n {
		<-done
	}
	logs := f.logs.String()
	require.Len(t, f.chain.submitted, n)
	require.Equal(t, n, strings.Count(logs, `msg="tasks submitted"`), logs)
	kid := keyID("sk-a")
	for _, ids := range f.chain.submitted {
		require.Contains(t, logs, "key="+kid+" tasks=["+itoa(ids[0])+"] cost_ucor=3000")
	}
	require.Equal(t, n, strings.Count(logs, "client_gone=true"))
	require.NotContains(t, logs, "sk-a")
	// They were charged, so the key's budget (15,000 = 5 chats) is spent.
	require.Equal(t, http.StatusTooManyRequests, f.call(t, "/v1/chat/completions", "sk-a", chatBody).Code)
}

// A client gone before submission submits nothing and is charged nothing.
func TestNothingSubmittedAfterTheClientLeft(t *testing.T) {
	f := newFakeRouter(t, Config{Budgets: Budgets{KeyPerMinute: 48_000}})
	ctx, cancel := contextWithCancel()
	f.chain.onModel = cancel // the client leaves while the router checks the model
	req := httptest.NewRequest("POST", "/v1/embeddings", strings.NewReader(embedBody(16))).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer sk-a")
	f.h.ServeHTTP(httptest.NewRecorder(), req)
	f.chain.onModel = nil
	require.Zero(t, f.chain.submits, "no tx after the client left")
	require.Contains(t, f.logs.String(), "nothing submitted or charged")
	require.Equal(t, http.StatusOK, f.call(t, "/v1/embeddings", "sk-a", embedBody(16)).Code, "its reservation was given back")
}

// Error bodies say which step failed, never the chain's or Go's error text: no
// file paths, gas figures, raw logs, addresses. The detail is in the router's log.
func TestErrorBodiesCarryNoInternals(t *testing.T) {
	internal := errorString("rpc error: code = Unknown desc = /root/go/pkg/mod/github.com/cosmos/cosmos-sdk@v0.54.4/baseapp/baseapp.go:1020: " +
		"out of gas in location: ReadFlat; gasWanted: 200000, gasUsed: 200345: account cor1router sequence 12")
	txErr := &chain.TxError{Hash: "F00D", Codespace: "sdk", Code: 11, Height: 9, Log: string(internal)}
	promptErr := &chain.TxError{Hash: "F00D", Codespace: sessionstypes.ModuleName, Code: sessionstypes.ErrInvalidPrompt.ABCICode(),
		Log: "failed to execute message; message index: 0: prompt is 99999 bytes, max 65536 (gas used 31337): invalid prompt"}
	queueErr := &chain.TxError{Hash: "F00D", Codespace: sessionstypes.ModuleName, Code: sessionstypes.ErrQueueFull.ABCICode(),
		Log: "failed to execute message; message index: 0: session 1 has 1000 tasks queued (gas used 31337)"}
	cases := []struct {
		name    string
		breakIt func(*fakeChain)
		path    string
		code    int
	}{
		{"model query", func(c *fakeChain) { c.errModel = internal }, "/v1/chat/completions", 503},
		{"eligible nodes", func(c *fakeChain) { c.errEligible = internal }, "/v1/chat/completions", 503},
		{"models list", func(c *fakeChain) { c.errModels = internal }, "/v1/models", 503},
		{"sessions list", func(c *fakeChain) { c.errSessions = internal }, "/v1/chat/completions", 503},
		{"session creation", func(c *fakeChain) { c.errSend = txErr }, "/v1/embeddings", 503},
		{"escrow balance", func(c *fakeChain) { c.errBalance = internal }, "/v1/chat/completions", 503},
		{"submission", func(c *fakeChain) { c.errSubmit = txErr }, "/v1/chat/completions", 503},
		{"unknown submission outcome", func(c *fakeChain) { c.errSubmit = internal }, "/v1/embeddings", 503},
		{"prompt refused", func(c *fakeChain) { c.errSubmit = promptErr }, "/v1/chat/completions", 400},
		{"session queue full", func(c *fakeChain) { c.errSubmit = queueErr }, "/v1/chat/completions", 429},
	}
	for _, c := range cases {
		f := newFakeRouter(t, Config{})
		c.breakIt(f.chain)
		body := chatBody
		if c.path == "/v1/embeddings" {
			body = embedBody(2)
		}
		req := httptest.NewRequest("POST", c.path, strings.NewReader(body))
		if c.path == "/v1/models" {
			req = httptest.NewRequest("GET", c.path, nil)
		}
		req.Header.Set("Authorization", "Bearer sk-a")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		require.Equal(t, c.code, rec.Code, c.name)
		apiErr(t, rec)
		if c.code == http.StatusTooManyRequests {
			require.Equal(t, "2", rec.Header().Get("Retry-After"), c.name)
		}
		for _, leak := range []string{"/root", ".go", "gas", "rpc error", "cor1", "sequence", "F00D", "message index", "65536", "code ="} {
			require.NotContains(t, strings.ToLower(rec.Body.String()), strings.ToLower(leak), "%s: %s", c.name, rec.Body.String())
		}
		require.Contains(t, f.logs.String(), "gas", "%s: the detail is logged", c.name)
	}
}
