package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownTimeout bounds a graceful shutdown: once a role is told to stop (SIGINT,
// SIGTERM), requests in flight get this long to finish before their connections close.
const shutdownTimeout = 10 * time.Second

// newHTTPServer is the server of a role's handler: header reads are bounded, so a client
// cannot hold a connection (and a goroutine) by never finishing its request line, and
// idle keep-alive connections are closed after a while.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
}

// httpService is a server running in the background (startHTTP) until shutdown.
type httpService struct {
	name string
	addr string
	srv  *http.Server
	done chan struct{}
	err  error // Serve's failure (not ErrServerClosed); read only after done is closed
}

// startHTTP serves srv on ln in the background. name says which server in logs and
// errors ("metrics server"). A failure of Serve is logged when it happens, since the
// role keeps running without its server, and returned again by shutdown.
func startHTTP(ln net.Listener, srv *http.Server, name string) *httpService {
	s := &httpService{name: name, addr: ln.Addr().String(), srv: srv, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = fmt.Errorf("%s on %s: %w", name, s.addr, err)
			slog.Error("server stopped", "server", name, "addr", s.addr, "err", err)
		}
	}()
	return s
}

// shutdown stops accepting connections, waits up to shutdownTimeout for requests in
// flight and returns Serve's failure if there was one, else the shutdown's.
func (s *httpService) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done // Serve returns as soon as Shutdown closes the listener
	if s.err != nil {
		return s.err
	}
	if err != nil {
		return fmt.Errorf("%s on %s: shutdown: %w", s.name, s.addr, err)
	}
	return nil
}

// serveHTTP serves srv on ln until ctx ends or the server fails, then shuts it down
// gracefully: the foreground loop of the roles that are nothing but a server.
func serveHTTP(ctx context.Context, ln net.Listener, srv *http.Server, name string) error {
	s := startHTTP(ln, srv, name)
	select {
	case <-ctx.Done():
	case <-s.done:
	}
	return s.shutdown()
}

// roleResult is what a role command returns once its loop ended and its server was
// shut down: being stopped (context.Canceled) is a clean exit, not an error.
func roleResult(runErr, shutErr error) error {
	if errors.Is(runErr, context.Canceled) {
		runErr = nil
	}
	return errors.Join(runErr, shutErr)
}
