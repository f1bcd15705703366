package router

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestServerLimitsAreSet(t *testing.T) {
	r := newTestRouter(t, Config{Timeout: time.Minute})
	srv := r.Server(ServerConfig{})
	require.Equal(t, 10*time.Second, srv.ReadHeaderTimeout)
	require.Equal(t, 30*time.Second, srv.ReadTimeout)
	require.Equal(t, time.Minute+30*time.Second, srv.WriteTimeout, "the request timeout plus the write grace")
	require.Equal(t, 120*time.Second, srv.IdleTimeout)
	require.Equal(t, 64<<10, srv.MaxHeaderBytes)
	require.Equal(t, 512, ServerConfig{}.defaults(time.Minute).MaxConns)
	srv = r.Server(ServerConfig{ReadHeaderTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, IdleTimeout: 4 * time.Second, MaxHeaderBytes: 5})
	require.Equal(t, []any{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second, 5},
		[]any{srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes})
}

// serve runs the router's server on a loopback listener with sc's limits.
func serve(t *testing.T, r *Router, sc ServerConfig) string {
	t.Helper()
	ln, err := r.Listen("127.0.0.1:0", sc)
	require.NoError(t, err)
	srv := r.Server(sc)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// A client that never finishes its headers is cut off (slowloris).
func TestSlowHeadersAreCutOff(t *testing.T) {
	addr := serve(t, newTestRouter(t, Config{}), ServerConfig{ReadHeaderTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = io.ReadAll(conn) // returns when the server closes the connection
	require.NoError(t, err)
	require.Less(t, time.Since(start), 3*time.Second)
}

func TestHugeHeadersAreRefused(t *testing.T) {
	addr := serve(t, newTestRouter(t, Config{}), ServerConfig{MaxHeaderBytes: 4 << 10})
	req, err := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
	require.NoError(t, err)
	req.Header.Set("X-Pad", strings.Repeat("a", 64<<10))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.StatusCode)
}

// With MaxConns 1 a second connection is not served while the first is open.
func TestConnectionLimit(t *testing.T) {
	addr := serve(t, newTestRouter(t, Config{}), ServerConfig{MaxConns: 1})
	first, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	time.Sleep(50 * time.Millisecond) // let the server accept the first
	_, err = client.Get("http://" + addr + "/healthz")
	require.Error(t, err, "the second connection waits while the first holds the only slot")
	first.Close()
	client.Timeout = 5 * time.Second
	res, err := client.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
}

// The server's WriteTimeout does not cut off an answer that took long to
// validate: the handler gives a ready answer WriteGrace of its own.
func TestSlowAnswerIsStillStreamed(t *testing.T) {
	f := newFakeRouter(t, Config{Keys: map[string]bool{}})
	f.now = time.Now
	f.chain.gate = make(chan struct{})
	time.AfterFunc(600*time.Millisecond, func() { close(f.chain.gate) }) // the task takes longer than WriteTimeout
	addr := serve(t, f.Router, ServerConfig{WriteTimeout: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/v1/chat/completions",
		strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var last string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if sc.Text() != "" {
			last = sc.Text()
		}
	}
	require.NoError(t, sc.Err())
	require.Equal(t, "data: [DONE]", last)
}
