package chain

import (
	"fmt"
	"io"
)

// WriteMetrics writes the batcher's counters in Prometheus' text format, named
// <prefix>_batch_*: txs and messages sent (their ratio is the messages per tx),
// the most messages in one tx, splits of failed batches, resends of txs that never
// landed, groups delivered or failed, and the send point: txs sent at it that
// landed (aimed), those of them a block late, and its lead now; groups that waited
// for room in the window (windowed).
func (s *BatcherStats) WriteMetrics(w io.Writer, prefix string) {
	for _, c := range []struct {
		name, kind string
		v          uint64
	}{
		{"batch_txs_total", "counter", s.Txs.Load()},
		{"batch_msgs_total", "counter", s.Msgs.Load()},
		{"batch_max_msgs_per_tx", "gauge", s.MaxMsgs.Load()},
		{"batch_splits_total", "counter", s.Splits.Load()},
		{"batch_resends_total", "counter", s.Resends.Load()},
		{"batch_delivered_total", "counter", s.Delivered.Load()},
		{"batch_failed_total", "counter", s.Failed.Load()},
		{"batch_aimed_total", "counter", s.Aimed.Load()},
		{"batch_late_total", "counter", s.Late.Load()},
		{"batch_lead_milliseconds", "gauge", s.LeadMillis.Load()},
		{"batch_windowed_total", "counter", s.Windowed.Load()},
	} {
		fmt.Fprintf(w, "# TYPE %s_%s %s\n%s_%s %d\n", prefix, c.name, c.kind, prefix, c.name, c.v)
	}
}
