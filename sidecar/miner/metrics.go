package miner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics are the miner's counters, served in Prometheus' text format.
type Metrics struct {
	Precommits, Commits, Heartbeats, TxFailures, EngineErrors atomic.Uint64

	mu          sync.Mutex
	tasks       uint64
	taskSeconds float64
	tokens      uint64
}

func (m *Metrics) observeTask(d time.Duration, tokens uint64) {
	m.mu.Lock()
	m.tasks++
	m.taskSeconds += d.Seconds()
	m.tokens += tokens
	m.mu.Unlock()
}

// Handler serves /healthz, /metrics and /availability.
func (m *Miner) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		mt := &m.M
		mt.mu.Lock()
		tasks, secs, toks := mt.tasks, mt.taskSeconds, mt.tokens
		mt.mu.Unlock()
		tps := 0.0
		if secs > 0 {
			tps = float64(toks) / secs
		}
		s := m.s.Stats.Sent.Load()
		fmt.Fprintf(w, "# TYPE cortd_miner_tasks_computed_total counter\ncortd_miner_tasks_computed_total %d\n", tasks)
		fmt.Fprintf(w, "# TYPE cortd_miner_task_seconds_total counter\ncortd_miner_task_seconds_total %g\n", secs)
		fmt.Fprintf(w, "# TYPE cortd_miner_engine_tokens_per_second gauge\ncortd_miner_engine_tokens_per_second %g\n", tps)
		fmt.Fprintf(w, "# TYPE cortd_miner_precommits_total counter\ncortd_miner_precommits_total %d\n", mt.Precommits.Load())
		fmt.Fprintf(w, "# TYPE cortd_miner_commits_total counter\ncortd_miner_commits_total %d\n", mt.Commits.Load())
		fmt.Fprintf(w, "# TYPE cortd_miner_heartbeats_total counter\ncortd_miner_heartbeats_total %d\n", mt.Heartbeats.Load())
		fmt.Fprintf(w, "# TYPE cortd_miner_engine_errors_total counter\ncortd_miner_engine_errors_total %d\n", mt.EngineErrors.Load())
		fmt.Fprintf(w, "# TYPE cortd_miner_tx_failures_total counter\ncortd_miner_tx_failures_total %d\n", mt.TxFailures.Load())
		fmt.Fprintf(w, "# TYPE cortd_sidecar_txs_sent_total counter\ncortd_sidecar_txs_sent_total %d\n", s)
		fmt.Fprintf(w, "# TYPE cortd_sidecar_sequence_mismatches_total counter\ncortd_sidecar_sequence_mismatches_total %d\n", m.s.Stats.SequenceMismatches.Load())
		// Batched txs whose gas the node simulated, and those signed with the gas
		// model's prediction (no simulation).
		fmt.Fprintf(w, "# TYPE cortd_sidecar_txs_simulated_total counter\ncortd_sidecar_txs_simulated_total %d\n", m.s.Stats.Simulated.Load())
		fmt.Fprintf(w, "# TYPE cortd_sidecar_txs_gas_predicted_total counter\ncortd_sidecar_txs_gas_predicted_total %d\n", m.s.Stats.Predicted.Load())
		if sp := m.spec; sp != nil {
			// Speculation (speculate.go): runs started, results an assignment used,
			// results dropped unused, submissions not speculated, and submissions the
			// node dropped from this miner's stream.
			fmt.Fprintf(w, "# TYPE cortd_miner_speculation_started_total counter\ncortd_miner_speculation_started_total %d\n", sp.Started.Load())
			fmt.Fprintf(w, "# TYPE cortd_miner_speculation_hits_total counter\ncortd_miner_speculation_hits_total %d\n", sp.Hits.Load())
			fmt.Fprintf(w, "# TYPE cortd_miner_speculation_wasted_total counter\ncortd_miner_speculation_wasted_total %d\n", sp.Wasted.Load())
			fmt.Fprintf(w, "# TYPE cortd_miner_speculation_skipped_total counter\ncortd_miner_speculation_skipped_total %d\n", sp.Skipped.Load())
			fmt.Fprintf(w, "# TYPE cortd_miner_speculation_dropped_total counter\ncortd_miner_speculation_dropped_total %d\n", sp.Dropped.Load())
		}
		m.batch.Stats.WriteMetrics(w, "cortd_miner")
	})
	mux.HandleFunc("GET /availability", func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		busy := len(m.busy)
		m.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"node_id": m.cfg.NodeID, "models": m.served, "loaded_models": m.loadedModels(r.Context()),
			"tasks_in_progress": busy, "capacity": m.cfg.Concurrency, "available": busy < m.cfg.Concurrency,
			"uptime_seconds": int64(time.Since(m.started).Seconds()),
		})
	})
	return mux
}
