package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sumHex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// cutServer serves body with ranges, except that its first answer is cut after cut bytes
// (the connection is dropped mid-body).
func cutServer(t *testing.T, body []byte, cut int, ranges bool) (*httptest.Server, *[]string) {
	var n atomic.Int32
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Range"))
		if n.Add(1) == 1 && cut > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:cut])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if !ranges {
			w.Write(body)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestDownloadResumesAfterCut(t *testing.T) {
	body := randBytes(300_000, 1)
	srv, seen := cutServer(t, body, 100_000, true)
	dest := filepath.Join(t.TempDir(), "w.bin")
	o := Options{AllowLocal: true}
	err := Download(context.Background(), srv.URL+"/w.bin", dest, uint64(len(body)), sumHex(body), o, nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("cut transfer: got %v, want ErrUnavailable", err)
	}
	st, err := os.Stat(dest + ".part")
	if err != nil || st.Size() != 100_000 {
		t.Fatalf("part file after the cut: %v, size %v", err, st)
	}
	var last uint64
	var first = ^uint64(0)
	err = Download(context.Background(), srv.URL+"/w.bin", dest, uint64(len(body)), sumHex(body), o, func(d uint64) {
		first = min(first, d)
		last = d
	})
	if err != nil {
		t.Fatal(err)
	}
	if (*seen)[1] != "bytes=100000-" {
		t.Fatalf("second request Range %q, want bytes=100000-", (*seen)[1])
	}
	if first != 100_000 || last != uint64(len(body)) {
		t.Fatalf("progress from %d to %d", first, last)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, body) {
		t.Fatal("resumed file differs")
	}
	if _, err := os.Stat(dest + ".part"); !os.IsNotExist(err) {
		t.Fatal("part file left behind")
	}
}

func TestDownloadServerWithoutRanges(t *testing.T) {
	body := randBytes(50_000, 2)
	srv, _ := cutServer(t, body, 10_000, false)
	dest := filepath.Join(t.TempDir(), "w.bin")
	o := Options{AllowLocal: true}
	_ = Download(context.Background(), srv.URL, dest, uint64(len(body)), sumHex(body), o, nil)
	if err := Download(context.Background(), srv.URL, dest, uint64(len(body)), sumHex(body), o, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, body) {
		t.Fatal("file differs after a 200 answer to a Range request")
	}
}

func TestDownloadRefusals(t *testing.T) {
	body := randBytes(20_000, 3)
	srv, _ := cutServer(t, body, 0, true)
	dir := t.TempDir()
	ctx := context.Background()

	// A bad part (tampered bytes kept from before) fails the checksum and is deleted.
	dest := filepath.Join(dir, "a")
	bad := append([]byte{}, body[:5000]...)
	bad[10] ^= 1
	os.WriteFile(dest+".part", bad, 0o644)
	err := Download(ctx, srv.URL, dest, uint64(len(body)), sumHex(body), Options{AllowLocal: true}, nil)
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("tampered part: %v", err)
	}
	if _, err := os.Stat(dest + ".part"); !os.IsNotExist(err) {
		t.Fatal("bad part kept")
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatal("dest written despite the mismatch")
	}
	// Now it downloads cleanly.
	if err := Download(ctx, srv.URL, dest, uint64(len(body)), sumHex(body), Options{AllowLocal: true}, nil); err != nil {
		t.Fatal(err)
	}

	// Longer than claimed.
	err = Download(ctx, srv.URL, filepath.Join(dir, "b"), 100, sumHex(body[:100]), Options{AllowLocal: true}, nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized body: %v", err)
	}
	// Shorter than claimed.
	err = Download(ctx, srv.URL, filepath.Join(dir, "c"), uint64(len(body)+1), sumHex(body), Options{AllowLocal: true}, nil)
	if !errors.Is(err, ErrSizeMismatch) {
		t.Fatalf("short body: %v", err)
	}
	// Loopback without AllowLocal, and file URLs, are refused.
	err = Download(ctx, srv.URL, filepath.Join(dir, "d"), uint64(len(body)), sumHex(body), Options{}, nil)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrRefused) {
		t.Fatalf("loopback without AllowLocal: %v", err)
	}
	err = Download(ctx, "file://"+dest, filepath.Join(dir, "e"), uint64(len(body)), sumHex(body), Options{}, nil)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("file URL without AllowLocal: %v", err)
	}
	if err := Download(ctx, "file://"+dest, filepath.Join(dir, "e"), uint64(len(body)), sumHex(body), Options{AllowLocal: true}, nil); err != nil {
		t.Fatalf("file URL with AllowLocal: %v", err)
	}
	// Claims over MaxBytes are refused before any request.
	err = Download(ctx, srv.URL, filepath.Join(dir, "f"), uint64(len(body)), sumHex(body), Options{AllowLocal: true, MaxBytes: 10}, nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("claim over MaxBytes: %v", err)
	}
}

func TestFetchUpTo(t *testing.T) {
	body := randBytes(1000, 4)
	srv, _ := cutServer(t, body, 0, true)
	ctx := context.Background()
	got, err := FetchUpTo(ctx, srv.URL, 1000, sumHex(body), Options{AllowLocal: true})
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("FetchUpTo: %v", err)
	}
	if _, err := FetchUpTo(ctx, srv.URL, 999, sumHex(body), Options{AllowLocal: true}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := FetchUpTo(ctx, srv.URL, 1000, sumHex(body[1:]), Options{AllowLocal: true}); !errors.Is(err, ErrChecksum) {
		t.Fatalf("wrong sha256: %v", err)
	}
	if _, err := FetchUpTo(ctx, srv.URL, 1000, sumHex(body), Options{}); !errors.Is(err, ErrRefused) {
		t.Fatalf("loopback without AllowLocal: %v", err)
	}
}

func TestDownloadStall(t *testing.T) {
	old := downloadStall
	downloadStall = 300 * time.Millisecond
	defer func() { downloadStall = old }()
	body := randBytes(10_000, 5)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:4000])
		w.(http.Flusher).Flush()
		select { // then nothing, with the connection open
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	dest := filepath.Join(t.TempDir(), "w")
	start := time.Now()
	err := Download(context.Background(), srv.URL, dest, uint64(len(body)), sumHex(body), Options{AllowLocal: true}, nil)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no data received") {
		t.Fatalf("stalled server: %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("gave up after %v", el)
	}
	if st, err := os.Stat(dest + ".part"); err != nil || st.Size() != 4000 {
		t.Fatalf("part kept for a resume: %v %v", st, err)
	}
}
