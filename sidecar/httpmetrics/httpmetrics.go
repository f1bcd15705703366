// Package httpmetrics gives an HTTP server the request metrics every long-running role
// of the sidecar exposes at /metrics: requests by route and status, errors, latency and
// requests in flight, in a Prometheus registry of the server's own (so two servers in
// one process, or in one test, never collide on names).
package httpmetrics

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Buckets of the latency histogram: from a cached blob (milliseconds) to a long
// generation (minutes).
var Buckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// Metrics are one server's request metrics.
type Metrics struct {
	// Registry holds the request metrics and the Go and process collectors; a server
	// registers its own metrics (tokens, bytes) here too.
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// New makes the metrics of one server; namespace prefixes every name
// (namespace_http_requests_total, ...), e.g. "cortd_engine".
func New(namespace string) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_requests_total",
			Help: "Requests answered, by route (the matched pattern, \"unmatched\" for none) and status code."}, []string{"route", "code"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_request_errors_total",
			Help: "Requests answered with a status of 400 or more, by route."}, []string{"route"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "http_request_seconds",
			Help: "Time from a request's arrival to the end of its answer, by route.", Buckets: Buckets}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "http_requests_in_flight",
			Help: "Requests being answered now."}),
	}
	m.Registry.MustRegister(m.requests, m.errors, m.seconds, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus' text format (mount it at GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Wrap measures every request h answers. h should be a *http.ServeMux: the route label
// is the pattern it matched (it sets Request.Pattern), which keeps the label set as
// small as the routes whatever paths clients send.
func (m *Metrics) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		code := sw.status
		if code == 0 {
			code = http.StatusOK // nothing written: net/http answers 200
		}
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		if code >= 400 {
			m.errors.WithLabelValues(route).Inc()
		}
		m.seconds.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// ReadFrom keeps io.Copy into the answer (http.ServeContent) on the connection's own
// ReadFrom, which sends files with sendfile.
func (s *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return io.Copy(s.ResponseWriter, r)
}

// Flush keeps server-sent events streaming through the wrapper.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (deadlines, hijacking).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
