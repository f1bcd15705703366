// Package fetch is every download of the sidecar (submitted data, challenge archives):
// http and https URLs to public addresses only (file URLs and loopback, private and
// other local addresses only with Options.AllowLocal, for local networks), with the
// claimed size and sha256 enforced as the bytes stream in: a body longer than the claim
// is cut off at claim+1 bytes, so a hostile server cannot make the auditor read more
// than the size the submitter bonded for. The destination rules are in guard.go and
// client.go.
package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"time"
)

// Errors, wrapped with details. An auditor maps them to its failed checks.
var (
	// ErrUnavailable: the data could not be read (bad URL, refused destination, dead
	// server, HTTP error, timeout, missing file).
	ErrUnavailable = errors.New("data unavailable")
	// ErrTooLarge: more bytes than the claimed size (or the limit) arrived.
	ErrTooLarge = errors.New("data larger than claimed")
	// ErrSizeMismatch: the stream ended before the claimed size.
	ErrSizeMismatch = errors.New("data size differs from the claim")
	// ErrChecksum: the bytes' sha256 is not the claimed one.
	ErrChecksum = errors.New("data checksum mismatch")
)

// maxSize keeps size+1 inside int64 (io.LimitReader) whatever a claim says.
const maxSize = 1 << 40

// Options bound a fetch.
type Options struct {
	// Timeout bounds the whole download (default 2 min).
	Timeout time.Duration
	// MaxBytes refuses a claim above it before downloading (0: no limit besides the claim).
	MaxBytes uint64
	// AllowLocal is for local networks only (localnet, e2e scripts): it allows file
	// URLs and loopback, private, link-local and other non-public addresses, which are
	// otherwise refused (cloud metadata addresses stay refused). A validator on a real
	// network leaves it false: URLs on chain are written by anyone.
	AllowLocal bool

	// trusted: see policy.trusted (this package's tests only).
	trusted func(netip.AddrPort) bool
}

// Fetch reads rawURL and returns its bytes when they are exactly size bytes whose
// sha256 is sha256Hex (lowercase hex). It stops reading as soon as size is exceeded.
func Fetch(ctx context.Context, rawURL string, size uint64, sha256Hex string, o Options) ([]byte, error) {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if size > maxSize || (o.MaxBytes > 0 && size > o.MaxBytes) {
		return nil, fmt.Errorf("%w: claimed %d bytes > limit %d", ErrTooLarge, size, o.MaxBytes)
	}
	want, err := hex.DecodeString(sha256Hex)
	if err != nil || len(want) != sha256.Size {
		return nil, fmt.Errorf("%w: claimed checksum %q is not 64 hex digits", ErrChecksum, sha256Hex)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	body, err := open(ctx, rawURL, policy{allowLocal: o.AllowLocal, trusted: o.trusted})
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := readLimited(ctx, body, size)
	if err != nil {
		return nil, err
	}
	got := sha256.Sum256(data)
	if !bytes.Equal(got[:], want) {
		return nil, fmt.Errorf("%w: got %x, claimed %s", ErrChecksum, got, sha256Hex)
	}
	return data, nil
}

// open starts the download of an http(s) URL (or, with allowLocal, a file URL) after
// checking it against the policy; the client checks every dial and redirect.
func open(ctx context.Context, rawURL string, p policy) (io.ReadCloser, error) {
	u, err := p.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if u.Scheme == "file" { // checkURL allowed it: a local network
		f, err := os.Open(u.Path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return f, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	res, err := clientFor(p).Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, fmt.Errorf("%w: GET %s: %s", ErrUnavailable, res.Request.URL.Redacted(), res.Status)
	}
	return res.Body, nil
}

// readLimited reads exactly size bytes and fails as soon as a byte more arrives.
func readLimited(ctx context.Context, r io.Reader, size uint64) ([]byte, error) {
	const chunk = 64 << 10
	buf := make([]byte, 0, min(size+1, 1<<20))
	lr := io.LimitReader(r, int64(size)+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):min(cap(buf), len(buf)+chunk)])
		buf = buf[:len(buf)+n]
		if uint64(len(buf)) > size {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, size)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w: after %d bytes: %v", ErrUnavailable, len(buf), ctx.Err())
			}
			return nil, fmt.Errorf("%w: after %d bytes: %v", ErrUnavailable, len(buf), err)
		}
	}
	if uint64(len(buf)) != size {
		return nil, fmt.Errorf("%w: %d bytes, claimed %d", ErrSizeMismatch, len(buf), size)
	}
	return buf, nil
}
