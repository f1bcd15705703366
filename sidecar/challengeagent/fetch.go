package challengeagent

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Fetch downloads a file:// or http(s) URL, refusing more than size bytes while
// streaming, and checks its exact size and sha256 (lowercase hex).
func Fetch(ctx context.Context, hc *http.Client, rawURL, sha string, size uint64) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch %q: %w", rawURL, err)
	}
	var body io.ReadCloser
	switch u.Scheme {
	case "file":
		if body, err = os.Open(u.Path); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
		}
	case "http", "https":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, err
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
		}
		if res.StatusCode != http.StatusOK {
			res.Body.Close()
			return nil, fmt.Errorf("fetch %s: %s", rawURL, res.Status)
		}
		body = res.Body
	default:
		return nil, fmt.Errorf("fetch %q: scheme %q not supported (file, http, https)", rawURL, u.Scheme)
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, int64(size)+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if uint64(len(b)) != size {
		return nil, fmt.Errorf("fetch %s: got %d bytes or more, want exactly %d", rawURL, len(b), size)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != sha {
		return nil, fmt.Errorf("fetch %s: sha256 %s, want %s", rawURL, got, sha)
	}
	return b, nil
}

// Extract unpacks a tar.gz into dir: regular files and folders only, relative paths that
// stay inside dir, at most maxBytes unpacked in total.
func Extract(tgz []byte, dir string, maxBytes int64) error {
	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	tr := tar.NewReader(gz)
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if name == "." || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("snapshot: entry %q escapes the folder", h.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			total += h.Size
			if h.Size < 0 || total > maxBytes {
				return fmt.Errorf("snapshot: more than %d bytes unpacked", maxBytes)
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if h.Mode&0o111 != 0 {
				mode = 0o755
			}
			f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
			if err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
			_, err = io.Copy(f, io.LimitReader(tr, h.Size))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
		default:
			return fmt.Errorf("snapshot: entry %q is not a plain file or folder", h.Name)
		}
	}
}
