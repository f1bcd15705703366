package dashboard

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the dashboard's counters in Prometheus' text format (hand-written,
// like the miner's: a handful of series needs no client library).
type metrics struct {
	mu         sync.Mutex
	requests   map[[2]string]uint64 // page, code
	seconds    map[string]float64
	count      map[string]uint64
	reconnects atomic.Uint64
	sseClients atomic.Int64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]uint64{}, seconds: map[string]float64{}, count: map[string]uint64{}}
}

func (m *metrics) observe(page string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{page, fmt.Sprint(code)}]++
	if d > 0 {
		m.seconds[page] += d.Seconds()
		m.count[page]++
	}
}

func (m *metrics) serve(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	m.mu.Lock()
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	fmt.Fprintln(w, "# TYPE cortd_dashboard_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "cortd_dashboard_requests_total{page=%q,code=%q} %d\n", k[0], k[1], m.requests[k])
	}
	pages := make([]string, 0, len(m.count))
	for p := range m.count {
		pages = append(pages, p)
	}
	sort.Strings(pages)
	fmt.Fprintln(w, "# TYPE cortd_dashboard_render_seconds summary")
	for _, p := range pages {
		fmt.Fprintf(w, "cortd_dashboard_render_seconds_sum{page=%q} %g\ncortd_dashboard_render_seconds_count{page=%q} %d\n", p, m.seconds[p], p, m.count[p])
	}
	m.mu.Unlock()
	fmt.Fprintf(w, "# TYPE cortd_dashboard_websocket_reconnects_total counter\ncortd_dashboard_websocket_reconnects_total %d\n", m.reconnects.Load())
	fmt.Fprintf(w, "# TYPE cortd_dashboard_sse_clients gauge\ncortd_dashboard_sse_clients %d\n", m.sseClients.Load())
}
