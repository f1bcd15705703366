// Package blobs is a content-addressed file store served over HTTP: each file is kept
// under its sha256 and served at /sha256/<hex>. Local networks and the e2e use it as the
// data host of submissions, since the URL names exactly the bytes a submitter bonded.
package blobs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cortnet/cortd/sidecar/httpmetrics"
)

// PathPrefix is where blobs are served.
const PathPrefix = "/sha256/"

var hexRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Store keeps blobs in one folder, one file per sha256.
type Store struct{ Dir string }

// Blob describes a stored file.
type Blob struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// URL is the blob's address on a server at base (e.g. http://127.0.0.1:8080).
func (b Blob) URL(base string) string { return strings.TrimRight(base, "/") + PathPrefix + b.SHA256 }

// Add copies src into the store under its sha256 (written to a temp file and renamed,
// so a concurrent reader never sees a partial blob).
func (s Store) Add(src string) (Blob, error) {
	in, err := os.Open(src)
	if err != nil {
		return Blob{}, err
	}
	defer in.Close()
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return Blob{}, err
	}
	tmp, err := os.CreateTemp(s.Dir, ".add-*")
	if err != nil {
		return Blob{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), in)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Blob{}, fmt.Errorf("copying %s: %w", src, err)
	}
	b := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	if err := os.Rename(tmp.Name(), s.path(b.SHA256)); err != nil {
		return Blob{}, err
	}
	return b, nil
}

// Remove deletes a blob (missing is not an error).
func (s Store) Remove(sha string) error {
	if !hexRe.MatchString(sha) {
		return fmt.Errorf("%q is not a lowercase sha256 hex", sha)
	}
	if err := os.Remove(s.path(sha)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (s Store) path(sha string) string { return filepath.Join(s.Dir, sha) }

// Handler serves GET/HEAD /sha256/<hex>, /healthz and /metrics (requests, errors,
// latency, in flight: a registry per Handler call); everything else is 404. Names are
// checked against the hex pattern before touching the disk, so no path escapes Dir.
func (s Store) Handler(log *slog.Logger) http.Handler {
	m := httpmetrics.New("cortd_blobs")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET "+PathPrefix+"{sha}", func(w http.ResponseWriter, r *http.Request) {
		sha := r.PathValue("sha")
		if !hexRe.MatchString(sha) {
			http.Error(w, "want /sha256/<64 lowercase hex>", http.StatusBadRequest)
			return
		}
		f, err := os.Open(s.path(sha))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, "stat failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("ETag", `"`+sha+`"`)
		log.Debug("serving blob", "sha256", sha, "size", st.Size(), "remote", r.RemoteAddr)
		http.ServeContent(w, r, "", st.ModTime(), f)
	})
	return m.Wrap(mux)
}
