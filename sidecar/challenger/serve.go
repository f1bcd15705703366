package challenger

import (
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// Metrics are the challenger's counters, served in Prometheus' text format.
type Metrics struct {
	Posted, TestsRevealed, Failures atomic.Uint64
}

// Handler serves /healthz, /metrics and, under /files/, the published archives (plain
// files by name only: no listings, so unrevealed names cannot be discovered — the tests
// are not in the folder before their reveal anyway).
func (p *Poster) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		for _, m := range []struct {
			name, help string
			v          uint64
		}{
			{"cortd_challenger_posted_total", "Challenges posted.", p.M.Posted.Load()},
			{"cortd_challenger_tests_revealed_total", "Hidden tests revealed.", p.M.TestsRevealed.Load()},
			{"cortd_challenger_failures_total", "Failed posts or reveals.", p.M.Failures.Load()},
		} {
			fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", m.name, m.help, m.name, m.name, m.v)
		}
	})
	mux.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if name != path.Base(name) || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".tar.gz") {
			http.NotFound(w, r)
			return
		}
		full := filepath.Join(p.cfg.PublishDir, name)
		if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, full)
	})
	return mux
}
