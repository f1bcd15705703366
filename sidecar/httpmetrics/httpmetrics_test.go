package httpmetrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func newServer(t *testing.T, m *Metrics, block chan struct{}, entered chan struct{}) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok/{id}", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusInternalServerError) })
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, _ *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			http.Error(w, "no flusher", http.StatusInternalServerError)
			return
		}
		w.(http.Flusher).Flush()
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, _ *http.Request) {
		entered <- struct{}{}
		<-block
	})
	mux.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(m.Wrap(mux))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

// TestWrap: requests are counted by matched pattern (not by path) and status, errors
// are the 4xx/5xx answers, latency is observed per route, in-flight rises while a
// request runs, streaming handlers still get a Flusher, and /metrics serves it all.
func TestWrap(t *testing.T) {
	m := New("cortd_test")
	block, entered := make(chan struct{}), make(chan struct{})
	srv := newServer(t, m, block, entered)

	for _, p := range []string{"/ok/a", "/ok/b", "/fail", "/nothing-here", "/stream"} {
		get(t, srv.URL+p)
	}
	go func() { // no t here: this goroutine may outlive the test's assertions
		if res, err := http.Get(srv.URL + "/slow"); err == nil {
			res.Body.Close()
		}
	}()
	<-entered
	code, body := get(t, srv.URL+"/metrics")
	close(block)
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		`cortd_test_http_requests_total{code="200",route="GET /ok/{id}"} 2`,
		`cortd_test_http_requests_total{code="500",route="GET /fail"} 1`,
		`cortd_test_http_requests_total{code="404",route="unmatched"} 1`,
		`cortd_test_http_requests_total{code="200",route="GET /stream"} 1`, // a 500 if the Flusher got lost
		`cortd_test_http_request_errors_total{route="GET /fail"} 1`,
		`cortd_test_http_request_errors_total{route="unmatched"} 1`,
		`cortd_test_http_request_seconds_count{route="GET /ok/{id}"} 2`,
		`cortd_test_http_requests_in_flight 2`, // /slow and this scrape
		`go_goroutines `,
	} {
		require.True(t, hasLine(body, want), "no %q in /metrics:\n%s", want, body)
	}
	require.False(t, strings.Contains(body, `errors_total{route="GET /ok/{id}"}`), "a 200 counted as an error")
	require.False(t, strings.Contains(body, "/ok/a"), "a path, not the route, became a label")
}

// hasLine: body has a line that starts with prefix.
func hasLine(body, prefix string) bool {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}
