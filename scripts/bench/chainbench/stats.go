package main

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// result is one run's row.
type result struct {
	label                          string
	msgs                           int
	rate                           float64
	sent, committed, failedInBlock int
	refused, full, errs, dropped   int
	window                         float64 // seconds from the first send to the last inclusion
	secs                           []float64
	blocks                         []int64
	nBlocks, maxBlockTxs           int
	meanGap                        float64 // mean seconds between the run's blocks (block times)
	load0, load1                   string
	loadMax                        float64
}

// summarize reads the outcome of every sent tx. Throughput counts txs committed
// with code 0 over the time from the first send to the block that held the last
// of them; latency is from the send to when that block was seen (seconds) and
// from the latest height known at the send to the block's height (blocks: 1 is
// the next block).
func summarize(txs []*sent, cfg config, began, ended time.Time, tr *tracker, h0 int64) result {
	r := result{label: cfg.label, msgs: cfg.msgs, rate: cfg.rate, sent: len(txs)}
	var last time.Time
	var lastHeight int64
	for _, s := range txs {
		s.mu.Lock()
		switch {
		case s.outcome == "refused":
			r.refused++
		case s.outcome == "full":
			r.full++
		case s.outcome == "error":
			r.errs++
		case s.inclHeight == 0:
			r.dropped++
		case s.code != 0:
			r.failedInBlock++
		default:
			r.committed++
			r.secs = append(r.secs, s.inclAt.Sub(s.sentAt).Seconds())
			r.blocks = append(r.blocks, s.inclHeight-s.sentHeight)
			if s.inclAt.After(last) {
				last = s.inclAt
			}
			lastHeight = max(lastHeight, s.inclHeight)
		}
		s.mu.Unlock()
	}
	if last.IsZero() {
		last = ended
	}
	r.window = last.Sub(began).Seconds()
	bs := tr.blocksBetween(h0, max(lastHeight, tr.height.Load()))
	r.nBlocks = len(bs)
	for _, b := range bs {
		r.maxBlockTxs = max(r.maxBlockTxs, b.txs)
	}
	if len(bs) > 1 {
		r.meanGap = bs[len(bs)-1].time.Sub(bs[0].time).Seconds() / float64(len(bs)-1)
	}
	return r
}

const loadHeader = "| run | msgs/tx | target txs/s | sent | committed | failed in block | committed txs/s | msgs/s | p50 / p95 blocks | p50 / p95 s | refused | mempool full | send errors | dropped | blocks (mean gap, max txs) | load 1m start → end (max) |\n" +
	"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"

func (r result) row() string {
	target := "flat out"
	if r.rate > 0 {
		target = strconv.FormatFloat(r.rate, 'f', -1, 64)
	}
	tps := 0.0
	if r.window > 0 {
		tps = float64(r.committed) / r.window
	}
	bl := make([]float64, len(r.blocks))
	for i, b := range r.blocks {
		bl[i] = float64(b)
	}
	return fmt.Sprintf("| %s | %d | %s | %d | %d | %d | %.0f | %.0f | %s / %s | %.2f / %.2f | %d | %d | %d | %d | %d (%.2f s, %d) | %s → %s (%.2f) |",
		r.label, r.msgs, target, r.sent, r.committed, r.failedInBlock, tps, tps*float64(r.msgs),
		fmtNum(percentile(bl, 50)), fmtNum(percentile(bl, 95)), percentile(r.secs, 50), percentile(r.secs, 95),
		r.refused, r.full, r.errs, r.dropped, r.nBlocks, r.meanGap, r.maxBlockTxs, r.load0, r.load1, r.loadMax)
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// percentile is the nearest-rank percentile (NaN of nothing).
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

// loadAvg is /proc/loadavg's three averages ("?" where there is none).
func loadAvg() string {
	bz, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(bz))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// load1 is the 1-minute load average.
func load1() (float64, bool) {
	f := strings.Fields(loadAvg())
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}
