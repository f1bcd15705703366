package router

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// metrics counts answers by HTTP status and the time spent on answered requests.
type metrics struct {
	mu       sync.Mutex
	byStatus map[int]uint64
	okCount  uint64
	okSecs   float64
	shed     atomic.Uint64 // requests refused as overloaded (MaxInFlight)
	inflight *atomic.Int64 // the router's in-flight chain tasks
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

// Unwrap lets http.ResponseController reach the connection (write deadlines).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (m *metrics) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, req)
		code := sw.status
		if code == 0 {
			code = http.StatusOK
		}
		m.mu.Lock()
		if m.byStatus == nil {
			m.byStatus = map[int]uint64{}
		}
		m.byStatus[code]++
		if code == http.StatusOK {
			m.okCount++
			m.okSecs += time.Since(start).Seconds()
		}
		m.mu.Unlock()
	})
}

func (m *metrics) serve(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	m.mu.Lock()
	defer m.mu.Unlock()
	codes := make([]int, 0, len(m.byStatus))
	for c := range m.byStatus {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	fmt.Fprintln(w, "# TYPE cortd_router_requests_total counter")
	for _, c := range codes {
		fmt.Fprintf(w, "cortd_router_requests_total{code=\"%d\"} %d\n", c, m.byStatus[c])
	}
	fmt.Fprintf(w, "# TYPE cortd_router_answered_seconds_total counter\ncortd_router_answered_seconds_total %g\n", m.okSecs)
	fmt.Fprintf(w, "# TYPE cortd_router_answered_total counter\ncortd_router_answered_total %d\n", m.okCount)
	fmt.Fprintf(w, "# TYPE cortd_router_shed_total counter\ncortd_router_shed_total %d\n", m.shed.Load())
	if m.inflight != nil {
		fmt.Fprintf(w, "# TYPE cortd_router_inflight_tasks gauge\ncortd_router_inflight_tasks %d\n", m.inflight.Load())
	}
}
