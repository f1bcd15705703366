package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// local: the tests below serve from loopback and temp files, as a local network does.
var local = Options{AllowLocal: true}

func TestFetchHTTPGood(t *testing.T) {
	data := []byte("the quick brown fox jumps over the lazy dog")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(data) }))
	defer srv.Close()
	got, err := Fetch(context.Background(), srv.URL+"/x", uint64(len(data)), sum(data), local)
	require.NoError(t, err)
	require.Equal(t, data, got)
}

func TestFetchFileGood(t *testing.T) {
	data := []byte("file data\n")
	p := filepath.Join(t.TempDir(), "d.txt")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	got, err := Fetch(context.Background(), "file://"+p, uint64(len(data)), sum(data), local)
	require.NoError(t, err)
	require.Equal(t, data, got)
}

func TestFetchWrongChecksum(t *testing.T) {
	data := []byte("some bytes")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(data) }))
	defer srv.Close()
	_, err := Fetch(context.Background(), srv.URL, uint64(len(data)), sum([]byte("other bytes")), local)
	require.ErrorIs(t, err, ErrChecksum)
	_, err = Fetch(context.Background(), srv.URL, uint64(len(data)), "zz", local)
	require.ErrorIs(t, err, ErrChecksum)
}

// TestFetchOversizeStopsReading: a server streaming without end is cut off right
// after the claimed size, not read to the end.
func TestFetchOversizeStopsReading(t *testing.T) {
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 4096)
		for r.Context().Err() == nil && sent.Load() < 64<<20 {
			n, err := w.Write(buf)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), srv.URL, 1000, sum(nil), local)
	require.ErrorIs(t, err, ErrTooLarge)
	srv.CloseClientConnections()
	require.Less(t, sent.Load(), int64(64<<20), "the whole stream was read")

	// A claim above the limit is refused before any request.
	_, err = Fetch(context.Background(), srv.URL, 2000, sum(nil), Options{MaxBytes: 1000, AllowLocal: true})
	require.ErrorIs(t, err, ErrTooLarge)

	// A file longer than its claim, and one shorter.
	p := filepath.Join(t.TempDir(), "d")
	require.NoError(t, os.WriteFile(p, []byte("0123456789"), 0o600))
	_, err = Fetch(context.Background(), "file://"+p, 5, sum([]byte("01234")), local)
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = Fetch(context.Background(), "file://"+p, 11, sum([]byte("0123456789")), local)
	require.ErrorIs(t, err, ErrSizeMismatch)
}

func TestFetchDeadURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Fetch(context.Background(), "http://"+addr+"/x", 1, sum([]byte("x")), Options{Timeout: 5 * time.Second, AllowLocal: true})
	require.ErrorIs(t, err, ErrUnavailable)

	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err = Fetch(context.Background(), srv.URL, 1, sum([]byte("x")), local)
	require.ErrorIs(t, err, ErrUnavailable)

	_, err = Fetch(context.Background(), "file:///nonexistent/cortd/blob", 1, sum([]byte("x")), local)
	require.ErrorIs(t, err, ErrUnavailable)
	_, err = Fetch(context.Background(), "ftp://example.com/x", 1, sum([]byte("x")), local)
	require.ErrorIs(t, err, ErrUnavailable)
}

// TestFetchSlowServer: a server that sends a little and then stalls is abandoned at
// the timeout.
func TestFetchSlowServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	_, err := Fetch(context.Background(), srv.URL, 100, sum(make([]byte, 100)), Options{Timeout: 300 * time.Millisecond, AllowLocal: true})
	require.ErrorIs(t, err, ErrUnavailable)
	require.False(t, errors.Is(err, ErrChecksum))
}
