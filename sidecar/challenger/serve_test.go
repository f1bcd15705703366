package challenger

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHandlerServesOnlyArchivesByName(t *testing.T) {
	pub := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(pub, "snapshot-abc.tar.gz"), []byte("snap"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pub, "notes.txt"), []byte("private"), 0o644))
	p := &Poster{cfg: Config{PublishDir: pub}}
	p.M.Posted.Add(2)
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}
	code, body := get("/files/snapshot-abc.tar.gz")
	require.Equal(t, 200, code)
	require.Equal(t, "snap", body)
	for _, path := range []string{"/files/", "/files/notes.txt", "/files/tests-x.tar.gz", "/files/..%2fnotes.txt", "/files/.hidden.tar.gz"} {
		code, _ = get(path)
		require.Equal(t, 404, code, path)
	}
	code, body = get("/metrics")
	require.Equal(t, 200, code)
	require.Contains(t, body, "cortd_challenger_posted_total 2")
	code, _ = get("/healthz")
	require.Equal(t, 200, code)
}
