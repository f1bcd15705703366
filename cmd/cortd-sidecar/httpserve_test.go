package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeHTTPGracefulShutdown: a request in flight when the context ends still gets
// its whole answer, and serveHTTP then returns nil (a clean stop).
func TestServeHTTPGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveHTTP(ctx, ln, newHTTPServer(h), "test server") }()

	body := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			body <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		body <- string(b)
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("serveHTTP returned (%v) while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if got := <-body; got != "finished" {
		t.Fatalf("in-flight request got %q, want its whole answer", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("clean stop returned %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

// TestServeHTTPServeFailure: a server whose listener fails returns the error (with the
// server's name) without waiting for the context.
func TestServeHTTPServeFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	errc := make(chan error, 1)
	go func() {
		errc <- serveHTTP(context.Background(), ln, newHTTPServer(http.NotFoundHandler()), "test server")
	}()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "test server") {
			t.Fatalf("got %v, want the listener's error naming the server", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serveHTTP did not return after its listener failed")
	}
}

// TestStartHTTPShutdown: the background form serves until shutdown, which is clean.
func TestStartHTTPShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := startHTTP(ln, newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })), "metrics server")
	res, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if err := hs.shutdown(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

func TestRoleResult(t *testing.T) {
	boom, shut := errors.New("boom"), errors.New("shutdown failed")
	if err := roleResult(context.Canceled, nil); err != nil {
		t.Fatalf("a stopped role is a clean exit, got %v", err)
	}
	if err := roleResult(boom, nil); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the role's error", err)
	}
	if err := roleResult(context.Canceled, shut); !errors.Is(err, shut) {
		t.Fatalf("got %v, want the shutdown error", err)
	}
}
