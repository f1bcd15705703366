package router

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"
)

// newTestRouter has no chain: these tests cover what the router decides before it
// queries the chain (authentication, rate limits, request validation), which is
// also what guarantees a bad request is never charged.
func newTestRouter(t *testing.T, cfg Config) *Router {
	t.Helper()
	cfg.Sessions = SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(1_000_000)}
	r, err := New(cfg, nil, nil, nil)
	require.NoError(t, err)
	return r
}

type errBody struct {
	Error struct {
		Message, Type, Param, Code string
	} `json:"error"`
}

func do(t *testing.T, h http.Handler, method, path, key, body string) (int, errBody) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var e errBody
	if rec.Code >= 400 {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
		require.NotEmpty(t, e.Error.Message)
		require.NotEmpty(t, e.Error.Type)
	}
	return rec.Code, e
}

func TestAuthRequiresAKnownBearerToken(t *testing.T) {
	h := newTestRouter(t, Config{Keys: map[string]bool{"sk-1": true}}).Handler()
	code, e := do(t, h, "GET", "/v1/models", "", "")
	require.Equal(t, http.StatusUnauthorized, code)
	require.Equal(t, "invalid_api_key", e.Error.Code)
	code, _ = do(t, h, "POST", "/v1/chat/completions", "sk-wrong", `{}`)
	require.Equal(t, http.StatusUnauthorized, code)
}

func TestBadRequestsAreInvalidRequestErrors(t *testing.T) {
	h := newTestRouter(t, Config{Keys: map[string]bool{"sk-1": true}}).Handler()
	cases := []struct{ path, body, param string }{
		{"/v1/chat/completions", `{"model": "m", "messages": [`, ""},
		{"/v1/chat/completions", `{"model": "m", "messages": []}`, "messages"},
		{"/v1/chat/completions", `{"messages": [{"role":"user","content":"hi"}]}`, "model"},
		{"/v1/chat/completions", `{"model":"m","messages":[{"role":"robot","content":"hi"}]}`, "messages"},
		{"/v1/chat/completions", `{"model":"m","max_tokens":33,"messages":[{"role":"user","content":"hi"}]}`, "max_tokens"},
		{"/v1/chat/completions", `{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, "max_tokens"},
		{"/v1/chat/completions", `{"model":"m","top_p":0,"messages":[{"role":"user","content":"hi"}]}`, "top_p"},
		{"/v1/completions", `{"model":"m","temperature":11,"prompt":"x"}`, "temperature"},
		{"/v1/completions", `{"model":"m","prompt":""}`, "prompt"},
		{"/v1/completions", `{"model":"m","prompt":["a","b"]}`, "prompt"},
	}
	for _, c := range cases {
		code, e := do(t, h, "POST", c.path, "sk-1", c.body)
		require.Equal(t, http.StatusBadRequest, code, c.body)
		require.Equal(t, "invalid_request_error", e.Error.Type, c.body)
		require.Equal(t, c.param, e.Error.Param, c.body)
	}
}

func TestBodyTooLarge(t *testing.T) {
	h := newTestRouter(t, Config{MaxBodyBytes: 64}).Handler()
	code, _ := do(t, h, "POST", "/v1/completions", "", `{"model":"m","prompt":"`+strings.Repeat("x", 100)+`"}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
}

func TestRateLimitPerKey(t *testing.T) {
	r := newTestRouter(t, Config{Keys: map[string]bool{"a": true, "b": true}, RatePerMinute: 60, Burst: 2})
	now := time.Unix(1000, 0)
	r.lim.now = func() time.Time { return now }
	h := r.Handler()
	bad := `{"model": "m", "messages": []}` // refused after the limiter: no chain needed
	for range 2 {
		code, _ := do(t, h, "POST", "/v1/chat/completions", "a", bad)
		require.Equal(t, http.StatusBadRequest, code)
	}
	code, e := do(t, h, "POST", "/v1/chat/completions", "a", bad)
	require.Equal(t, http.StatusTooManyRequests, code)
	require.Equal(t, "rate_limit_exceeded", e.Error.Code)
	// Another key has its own bucket.
	code, _ = do(t, h, "POST", "/v1/chat/completions", "b", bad)
	require.Equal(t, http.StatusBadRequest, code)
	// One second refills one request at 60/min.
	now = now.Add(time.Second)
	code, _ = do(t, h, "POST", "/v1/chat/completions", "a", bad)
	require.Equal(t, http.StatusBadRequest, code)
}

func TestLoadKeys(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(p, []byte("# comment\nsk-1\n\n  sk-2  \n"), 0o600))
	keys, err := LoadKeys(p)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"sk-1": true, "sk-2": true}, keys)
	require.NoError(t, os.WriteFile(p, []byte("# none\n"), 0o600))
	_, err = LoadKeys(p)
	require.ErrorContains(t, err, "no key")
	_, err = LoadKeys(filepath.Join(t.TempDir(), "missing"))
	require.Error(t, err)
}

func TestStreamEndsWithOneDone(t *testing.T) {
	rec := httptest.NewRecorder()
	streamAnswer(rec, "cmpl-1", 1, "m", "hello there world", "stop", true)
	body := rec.Body.String()
	require.Equal(t, 1, strings.Count(body, "data: [DONE]"))
	require.True(t, strings.HasSuffix(body, "data: [DONE]\n\n"))
	var text strings.Builder
	var finish []string
	for _, line := range strings.Split(body, "\n") {
		payload, ok := strings.CutPrefix(line, "data: {")
		if !ok {
			continue
		}
		var c struct {
			Object  string `json:"object"`
			Choices []struct {
				Delta        map[string]string `json:"delta"`
				FinishReason *string           `json:"finish_reason"`
			} `json:"choices"`
		}
		require.NoError(t, json.Unmarshal([]byte("{"+payload), &c))
		require.Equal(t, "chat.completion.chunk", c.Object)
		text.WriteString(c.Choices[0].Delta["content"])
		if c.Choices[0].FinishReason != nil {
			finish = append(finish, *c.Choices[0].FinishReason)
		}
	}
	require.Equal(t, "hello there world", text.String())
	require.Equal(t, []string{"stop"}, finish)
}

func TestDecimal(t *testing.T) {
	require.Equal(t, "0.700000000000000000", decimal(0.7).String())
	require.Equal(t, "1.000000000000000000", decimal(1).String())
	require.Equal(t, "0.000000000000000000", decimal(0).String())
}

func TestNewRejectsBadSessionConfig(t *testing.T) {
	_, err := New(Config{Sessions: SessionConfig{Redundancy: 2, Quorum: 3, PricePerTask: sdkmath.NewInt(1), MaxTokens: 1, Deposit: sdkmath.NewInt(1)}}, nil, nil, nil)
	require.Error(t, err)
	_, err = New(Config{Sessions: SessionConfig{Redundancy: 1, Quorum: 1, MaxTokens: 1}}, nil, nil, nil)
	require.Error(t, err)
}

func TestMetricsCountAnswersByStatus(t *testing.T) {
	h := newTestRouter(t, Config{Keys: map[string]bool{"a": true}}).Handler()
	do(t, h, "GET", "/v1/models", "", "")
	do(t, h, "POST", "/v1/completions", "a", `{`)
	do(t, h, "POST", "/v1/completions", "a", `{`)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Contains(t, rec.Body.String(), `cortd_router_requests_total{code="401"} 1`)
	require.Contains(t, rec.Body.String(), `cortd_router_requests_total{code="400"} 2`)
}
