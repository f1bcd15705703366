package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// internal is a service on the validator's loopback that no URL on chain may reach; it
// counts the requests it gets and serves the data everyone wants.
type internal struct {
	srv  *httptest.Server
	hits atomic.Int64
	port string
}

func newInternal(t *testing.T, data []byte) *internal {
	in := &internal{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		in.hits.Add(1)
		_, _ = w.Write(data)
	}))
	t.Cleanup(in.srv.Close)
	_, in.port, _ = net.SplitHostPort(in.srv.Listener.Addr().String())
	return in
}

// refusedTargets are destinations a URL on chain names, all of which must be refused
// (some reach the internal service on its port if they were dialled).
func refusedTargets(t *testing.T, port string) map[string]string {
	p := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(p, []byte("x"), 0o600))
	return map[string]string{
		"file":                "file://" + p,
		"file localhost":      "file://localhost" + p,
		"FILE upper case":     "FILE://" + p,
		"ftp":                 "ftp://127.0.0.1:" + port + "/x",
		"gopher":              "gopher://127.0.0.1:" + port + "/x",
		"data":                "data:text/plain,x",
		"javascript":          "javascript:alert(1)",
		"no scheme":           "127.0.0.1:" + port + "/x",
		"leading space":       " http://127.0.0.1:" + port + "/x",
		"v4 loopback":         "http://127.0.0.1:" + port + "/x",
		"v4 loopback 127/8":   "http://127.0.0.2:" + port + "/x",
		"v6 loopback":         "http://[::1]:" + port + "/x",
		"unspecified v4":      "http://0.0.0.0:" + port + "/x",
		"unspecified v6":      "http://[::]:" + port + "/x",
		"v4-mapped loopback":  "http://[::ffff:127.0.0.1]:" + port + "/x",
		"NAT64 loopback":      "http://[64:ff9b::7f00:1]:" + port + "/x",
		"name to loopback":    "http://localhost:" + port + "/x",
		"private 10/8":        "http://10.0.0.1/x",
		"private 172.16/12":   "http://172.16.0.1/x",
		"private 192.168/16":  "http://192.168.0.1/x",
		"unique-local fc00/7": "http://[fd00::1]/x",
		"link-local":          "http://169.254.10.10/x",
		"link-local v6":       "http://[fe80::1]/x",
		"metadata":            "http://169.254.169.254/latest/meta-data/",
		"CGNAT":               "http://100.64.0.1/x",
		"multicast":           "http://224.0.0.1/x",
		"broadcast":           "http://255.255.255.255/x",
	}
}

// TestFetchRefusesLocalDestinations: with default options every destination on the
// validator's host or network is refused before a byte is sent there.
func TestFetchRefusesLocalDestinations(t *testing.T) {
	data := []byte("internal")
	in := newInternal(t, data)
	for name, u := range refusedTargets(t, in.port) {
		_, err := Fetch(context.Background(), u, uint64(len(data)), sum(data), Options{Timeout: 5 * time.Second})
		require.ErrorIs(t, err, ErrUnavailable, name)
		require.ErrorIs(t, err, ErrRefused, "%s: %v", name, err)
	}
	require.Zero(t, in.hits.Load(), "the internal service was reached")
}

// TestFetchRefusesRedirects: a public server (the test treats its loopback address as
// public) that redirects to any refused destination gets nothing: the redirect check
// refuses the scheme and IP literals, the dial hook refuses names that resolve locally.
func TestFetchRefusesRedirects(t *testing.T) {
	data := []byte("internal")
	in := newInternal(t, data)
	pub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/data":
			_, _ = w.Write(data)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		}
	}))
	defer pub.Close()
	pubAddr := netip.MustParseAddrPort(pub.Listener.Addr().String())
	o := Options{Timeout: 5 * time.Second, trusted: func(ap netip.AddrPort) bool { return ap == pubAddr }}

	// The control: a redirect to another public URL is followed.
	got, err := Fetch(context.Background(), pub.URL+"/r?to=/data", uint64(len(data)), sum(data), o)
	require.NoError(t, err)
	require.Equal(t, data, got)
	// Chains are bounded.
	_, err = Fetch(context.Background(), pub.URL+"/loop", uint64(len(data)), sum(data), o)
	require.ErrorIs(t, err, ErrRefused)

	for name, target := range refusedTargets(t, in.port) {
		if name == "leading space" || name == "no scheme" {
			continue // not a redirect target: a relative reference on the public server
		}
		u := pub.URL + "/r?to=" + url.QueryEscape(target)
		_, err := Fetch(context.Background(), u, uint64(len(data)), sum(data), o)
		require.ErrorIs(t, err, ErrUnavailable, name)
		require.ErrorIs(t, err, ErrRefused, "%s: %v", name, err)
	}
	// A name resolving to loopback, on the public server's own port: only the dial
	// hook (which sees 127.0.0.1 or ::1 with the name gone) can refuse it... unless it
	// resolves to the very address the test trusts, so use a port nobody trusts.
	_, err = Fetch(context.Background(), pub.URL+"/r?to="+url.QueryEscape("http://localhost:"+in.port+"/x"), uint64(len(data)), sum(data), o)
	require.ErrorIs(t, err, ErrRefused)
	require.Zero(t, in.hits.Load(), "a redirect reached the internal service")
}

// TestFetchAllowLocal: the local-network option allows loopback, names resolving to
// it, redirects to it and file URLs; other schemes and cloud metadata stay refused.
func TestFetchAllowLocal(t *testing.T) {
	data := []byte("internal")
	in := newInternal(t, data)
	o := Options{Timeout: 5 * time.Second, AllowLocal: true}
	p := filepath.Join(t.TempDir(), "d")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	pub := httptest.NewServer(http.RedirectHandler("http://localhost:"+in.port+"/x", http.StatusFound))
	defer pub.Close()
	for _, u := range []string{in.srv.URL + "/x", "http://localhost:" + in.port + "/x", pub.URL, "file://" + p, "file://localhost" + p} {
		got, err := Fetch(context.Background(), u, uint64(len(data)), sum(data), o)
		require.NoError(t, err, u)
		require.Equal(t, data, got)
	}
	require.EqualValues(t, 3, in.hits.Load())
	for _, u := range []string{"ftp://127.0.0.1:" + in.port + "/x", "gopher://localhost/", "data:,internal",
		"http://169.254.169.254/latest/meta-data/", "file://example.com/etc/passwd"} {
		_, err := Fetch(context.Background(), u, uint64(len(data)), sum(data), o)
		require.ErrorIs(t, err, ErrRefused, u)
	}
}

// TestFetchIgnoresProxyEnvironment: a proxy dials on our behalf, out of the dial
// hook's sight, so the environment's proxy settings are not used.
func TestFetchIgnoresProxyEnvironment(t *testing.T) {
	for _, p := range []policy{{}, {allowLocal: true}} {
		tr, ok := clientFor(p).Transport.(*http.Transport)
		require.True(t, ok)
		require.Nil(t, tr.Proxy, fmt.Sprintf("%+v", p))
	}
}
