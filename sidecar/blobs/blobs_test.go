package blobs

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddServeRemove(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(t.TempDir(), "data.txt")
	data := []byte("hello blobs\n")
	require.NoError(t, os.WriteFile(src, data, 0o600))
	s := Store{Dir: filepath.Join(dir, "store")}
	b, err := s.Add(src)
	require.NoError(t, err)
	want := sha256.Sum256(data)
	require.Equal(t, hex.EncodeToString(want[:]), b.SHA256)
	require.Equal(t, int64(len(data)), b.Size)

	srv := httptest.NewServer(s.Handler(slog.New(slog.DiscardHandler)))
	defer srv.Close()
	get := func(path string) (int, []byte) {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, body
	}
	code, body := get(PathPrefix + b.SHA256)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, data, body)
	require.Equal(t, srv.URL+"/sha256/"+b.SHA256, b.URL(srv.URL+"/"))

	code, _ = get(PathPrefix + "..%2F..%2Fetc%2Fpasswd")
	require.Equal(t, http.StatusBadRequest, code)
	code, _ = get(PathPrefix + hex.EncodeToString(make([]byte, 32)))
	require.Equal(t, http.StatusNotFound, code)

	require.NoError(t, s.Remove(b.SHA256))
	code, _ = get(PathPrefix + b.SHA256)
	require.Equal(t, http.StatusNotFound, code)
	require.NoError(t, s.Remove(b.SHA256), "removing a missing blob is fine")
	require.Error(t, s.Remove("../x"))

	// /metrics: the requests above by route and status, the errors, the latency.
	code, body = get("/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		`cortd_blobs_http_requests_total{code="200",route="GET /sha256/{sha}"} 1` + "\n",
		`cortd_blobs_http_requests_total{code="400",route="GET /sha256/{sha}"} 1` + "\n",
		`cortd_blobs_http_requests_total{code="404",route="GET /sha256/{sha}"} 2` + "\n",
		`cortd_blobs_http_request_errors_total{route="GET /sha256/{sha}"} 3` + "\n",
		`cortd_blobs_http_request_seconds_count{route="GET /sha256/{sha}"} 4` + "\n",
		`cortd_blobs_http_requests_in_flight 1` + "\n",
	} {
		require.Contains(t, string(body), want)
	}
}
