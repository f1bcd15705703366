package router

import (
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// ServerConfig bounds what one client can hold of the HTTP server: a slow or
// silent client is cut off, and at most MaxConns connections are served at once
// (more wait in the kernel's accept queue until one closes).
//
// WriteTimeout and streaming: the router answers only validated results, so the
// handler of a request is silent until its task ends (up to Config.Timeout). The
// server's WriteTimeout therefore defaults to Config.Timeout + WriteGrace, and
// once an answer (whole or streamed) is ready the handler moves its connection's
// write deadline to now + WriteGrace with http.ResponseController: every answer
// gets WriteGrace to reach the client, however long its task took.
type ServerConfig struct {
	ReadHeaderTimeout time.Duration // default 10 s
	ReadTimeout       time.Duration // whole request incl. the body (≤ MaxBodyBytes); default 30 s
	WriteTimeout      time.Duration // default: the router's request timeout + WriteGrace
	IdleTimeout       time.Duration // keep-alive connections; default 120 s
	MaxHeaderBytes    int           // default 64 KiB
	MaxConns          int           // connections served at once; default 512
}

// defaults fills what is unset; requestTimeout is the router's Config.Timeout.
func (sc ServerConfig) defaults(requestTimeout time.Duration) ServerConfig {
	if sc.ReadHeaderTimeout <= 0 {
		sc.ReadHeaderTimeout = 10 * time.Second
	}
	if sc.ReadTimeout <= 0 {
		sc.ReadTimeout = 30 * time.Second
	}
	if sc.WriteTimeout <= 0 {
		sc.WriteTimeout = requestTimeout + defaultWriteGrace
	}
	if sc.IdleTimeout <= 0 {
		sc.IdleTimeout = 120 * time.Second
	}
	if sc.MaxHeaderBytes <= 0 {
		sc.MaxHeaderBytes = 64 << 10
	}
	if sc.MaxConns <= 0 {
		sc.MaxConns = 512
	}
	return sc
}

// defaultWriteGrace is how long a ready answer has to be written.
const defaultWriteGrace = 30 * time.Second

// Server is the router's HTTP server with the limits of sc (defaults filled in).
func (r *Router) Server(sc ServerConfig) *http.Server {
	sc = sc.defaults(r.cfg.Timeout)
	return &http.Server{
		Handler:           r.Handler(),
		ReadHeaderTimeout: sc.ReadHeaderTimeout,
		ReadTimeout:       sc.ReadTimeout,
		WriteTimeout:      sc.WriteTimeout,
		IdleTimeout:       sc.IdleTimeout,
		MaxHeaderBytes:    sc.MaxHeaderBytes,
	}
}

// Listen listens on addr and serves at most sc.MaxConns connections at once.
func (r *Router) Listen(addr string, sc ServerConfig) (net.Listener, error) {
	sc = sc.defaults(r.cfg.Timeout)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return netutil.LimitListener(ln, sc.MaxConns), nil
}

// extendWrite gives a ready answer WriteGrace to reach the client (see
// ServerConfig). Recorders in tests do not support deadlines; that is fine.
func (r *Router) extendWrite(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(r.cfg.WriteGrace))
}
