package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func requireSecurityHeaders(t *testing.T, h http.Header, what string) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		require.Contains(t, csp, d, what)
	}
	require.NotContains(t, csp, "unsafe-inline", what)
	require.NotContains(t, csp, "unsafe-eval", what)
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), what)
	require.Equal(t, "DENY", h.Get("X-Frame-Options"), what)
	require.Equal(t, "no-referrer", h.Get("Referrer-Policy"), what)
}

// TestSecurityHeadersOnEveryResponse: pages, their JSON twins, errors (404, 400),
// assets and metrics all carry the headers.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	f := newFake(5, 3, 4, 2)
	h := testServer(f).Handler()
	for _, u := range []string{"/", "/?format=json", "/nodes", "/nodes?format=json", "/nodes/node-000001",
		"/sessions", "/sessions?format=json", "/tasks/1", "/tasks/1?format=json", "/data", "/challenges",
		"/no/such/page", "/tasks/999", "/tasks/999?format=json", "/nodes?limit=0", "/assets/live.js",
		"/assets/style.css", "/healthz", "/metrics"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
		requireSecurityHeaders(t, rec.Header(), u)
	}
}

// TestSecurityHeadersOnEventStream: the SSE stream gets them before its first event.
func TestSecurityHeadersOnEventStream(t *testing.T) {
	hs := httptest.NewServer(testServer(newFake(2, 1, 3, 1)).Handler())
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/events")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream"))
	requireSecurityHeaders(t, resp.Header, "/events")
}

// TestPagesNeedNoInlineScriptOrStyle: the policy forbids inline script and style, so
// the rendered pages must not contain any (else the browser would block them).
func TestPagesNeedNoInlineScriptOrStyle(t *testing.T) {
	f := newFake(5, 3, 4, 2)
	h := testServer(f).Handler()
	for _, u := range []string{"/", "/nodes", "/nodes/node-000001", "/sessions", "/sessions/1", "/tasks/1", "/data", "/challenges"} {
		code, body := get(t, h, u)
		require.Equal(t, http.StatusOK, code, u)
		require.NotRegexp(t, `<script(\s[^>]*)?>\s*[^<\s]`, body, "%s: inline script", u)
		require.NotContains(t, body, "<style", u)
		require.NotContains(t, body, " style=", u)
		require.NotRegexp(t, `\son[a-z]+=`, body, "%s: inline event handler", u)
		require.NotContains(t, body, "javascript:", u)
	}
}
