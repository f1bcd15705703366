package evaluator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics of the evaluator role, in their own registry.
type Metrics struct {
	reg           *prometheus.Registry
	Patches       *prometheus.CounterVec // by outcome
	PatchSeconds  prometheus.Histogram
	Challenges    prometheus.Counter // challenges whose scores were sent
	PrepareFails  prometheus.Counter
	SubmitFails   prometheus.Counter
	Skipped       *prometheus.CounterVec // by reason
	LastScoredBps prometheus.Gauge
}

// NewMetrics registers the role's metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		Patches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cortd_evaluator_patches_evaluated_total",
			Help: "Patches evaluated, by outcome: scored, rejected (static checks), not_applied, limit, error."}, []string{"outcome"}),
		PatchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cortd_evaluator_patch_seconds",
			Help: "Wall time of one patch evaluation.", Buckets: []float64{0.5, 1, 2, 5, 10, 20, 60, 120, 300}}),
		Challenges: prometheus.NewCounter(prometheus.CounterOpts{Name: "cortd_evaluator_challenges_scored_total",
			Help: "Challenges whose MsgSubmitScores was included."}),
		PrepareFails: prometheus.NewCounter(prometheus.CounterOpts{Name: "cortd_evaluator_prepare_failures_total",
			Help: "Failures to fetch, unpack or run the baseline of a challenge."}),
		SubmitFails: prometheus.NewCounter(prometheus.CounterOpts{Name: "cortd_evaluator_submit_failures_total",
			Help: "MsgSubmitScores that failed."}),
		Skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cortd_evaluator_challenges_skipped_total",
			Help: "Challenges not scored, by reason: already_submitted, too_late, gave_up, no_reveals."}, []string{"reason"}),
		LastScoredBps: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cortd_evaluator_last_score_bps",
			Help: "Score of the last evaluated patch."}),
	}
	m.reg.MustRegister(m.Patches, m.PatchSeconds, m.Challenges, m.PrepareFails, m.SubmitFails, m.Skipped,
		m.LastScoredBps, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) observe(o Outcome) {
	m.Patches.WithLabelValues(outcomeClass(o)).Inc()
	m.PatchSeconds.Observe(o.Duration.Seconds())
	m.LastScoredBps.Set(float64(o.ScoreBps))
}

// outcomeClass maps an Outcome to a small, fixed label set.
func outcomeClass(o Outcome) string {
	switch {
	case o.Reason == "scored":
		return "scored"
	case o.Limit != "":
		return "limit"
	case o.Reason == "patch does not apply":
		return "not_applied"
	case strings.HasPrefix(o.Reason, "sandbox:"):
		return "error"
	default:
		return "rejected"
	}
}

// Handler serves /healthz and /metrics.
func (r *Runner) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if err := r.health(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(r.M.reg, promhttp.HandlerOpts{}))
	return mux
}
