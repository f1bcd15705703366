package auditor

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/sidecar/chain"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
)

// Metrics are the role's counters, served in Prometheus' text format.
type Metrics struct {
	Passed, Fraud, Missed, VotesYes, VotesNo, Errors, TxFailures atomic.Uint64

	mu      sync.Mutex
	count   [2]uint64  // by jobKind
	seconds [2]float64 // by jobKind
}

func (m *Metrics) observe(k jobKind, d time.Duration) {
	m.mu.Lock()
	m.count[k]++
	m.seconds[k] += d.Seconds()
	m.mu.Unlock()
}

// Handler serves /healthz (503 until the chain was read once) and /metrics.
func (a *Auditor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if !a.Ready() {
			http.Error(w, "not connected to the chain yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		m := &a.M
		m.mu.Lock()
		count, secs := m.count, m.seconds
		m.mu.Unlock()
		fmt.Fprintln(w, "# TYPE cortd_auditor_audits_total counter")
		fmt.Fprintf(w, "cortd_auditor_audits_total{result=\"pass\"} %d\n", m.Passed.Load())
		fmt.Fprintf(w, "cortd_auditor_audits_total{result=\"fraud\"} %d\n", m.Fraud.Load())
		fmt.Fprintf(w, "cortd_auditor_audits_total{result=\"missed\"} %d\n", m.Missed.Load())
		fmt.Fprintln(w, "# TYPE cortd_auditor_votes_total counter")
		fmt.Fprintf(w, "cortd_auditor_votes_total{option=\"yes\"} %d\n", m.VotesYes.Load())
		fmt.Fprintf(w, "cortd_auditor_votes_total{option=\"no\"} %d\n", m.VotesNo.Load())
		fmt.Fprintf(w, "# TYPE cortd_auditor_check_errors_total counter\ncortd_auditor_check_errors_total %d\n", m.Errors.Load())
		fmt.Fprintf(w, "# TYPE cortd_auditor_tx_failures_total counter\ncortd_auditor_tx_failures_total %d\n", m.TxFailures.Load())
		fmt.Fprintln(w, "# TYPE cortd_auditor_job_seconds summary")
		for _, k := range []jobKind{jobAudit, jobVote} {
			fmt.Fprintf(w, "cortd_auditor_job_seconds_sum{kind=\"%s\"} %g\n", k, secs[k])
			fmt.Fprintf(w, "cortd_auditor_job_seconds_count{kind=\"%s\"} %d\n", k, count[k])
		}
	})
	return mux
}

// containsCode reports whether a tx failed with the registered error e: a *chain.TxError
// with its codespace and code, or (a refused simulation, which only carries text) an
// error whose text holds e's description.
func containsCode(err error, e *errorsmod.Error) bool {
	var te *chain.TxError
	if errors.As(err, &te) {
		return te.Codespace == e.Codespace() && te.Code == e.ABCICode()
	}
	return err != nil && strings.Contains(err.Error(), e.Error())
}

// figuresString renders figures for logs.
func figuresString(fs []auditstypes.Figure) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.Name + "=" + f.Value)
	}
	return b.String()
}
