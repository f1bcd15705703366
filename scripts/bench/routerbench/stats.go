package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// levelResult aggregates one concurrency level.
type levelResult struct {
	label    string // the clients, or the open-loop rate
	planned  int
	wall     float64 // seconds from the first send to the last answer
	blocks   int64   // blocks the chain made meanwhile
	ok, lost int
	secs     []float64
	blockLat []int64
	protoLat []int64 // blocks from the submission's inclusion to validation
	// laterLat is protoLat without each client's first request (closed loop).
	laterLat []int64
	errs     map[string]int // error text (status and first line) → count
}

func (r *levelResult) add(s sample) {
	if s.lost {
		r.lost++
	}
	if s.err != "" || s.status != 200 {
		if r.errs == nil {
			r.errs = map[string]int{}
		}
		e := s.err
		if i := strings.IndexByte(e, '\n'); i >= 0 {
			e = e[:i]
		}
		if len(e) > 160 {
			e = e[:160]
		}
		r.errs[e]++
		return
	}
	r.ok++
	r.secs = append(r.secs, s.secs)
	r.blockLat = append(r.blockLat, s.blocks)
	if s.proto >= 0 {
		r.protoLat = append(r.protoLat, s.proto)
		if !s.first {
			r.laterLat = append(r.laterLat, s.proto)
		}
	}
}

func (r *levelResult) errors() int {
	n := 0
	for _, c := range r.errs {
		n += c
	}
	return n
}

// throughput is answered requests per second of the level's wall time.
func (r *levelResult) throughput() float64 {
	if r.wall <= 0 {
		return 0
	}
	return float64(r.ok) / r.wall
}

// errorSummary lists the distinct errors, most frequent first.
func (r *levelResult) errorSummary() string {
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range r.errs {
		all = append(all, kv{k, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n || all[i].n == all[j].n && all[i].k < all[j].k })
	var b strings.Builder
	for i, e := range all {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d× %s", e.n, e.k)
	}
	return b.String()
}

// percentile is the nearest-rank percentile (p in (0,1]) of an unsorted slice;
// it returns the zero value for an empty one.
func percentile[T int64 | float64](xs []T, p float64) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// table renders the levels as a markdown table, with the errors underneath.
func table(rows []levelResult, maxTokens int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n| clients | requests | answered | errors | lost | wall (s) | req/s | p50 (s) | p95 (s) | p50 (blocks) | p95 (blocks) | p50 / p95 from inclusion (blocks) | block time (s) |\n")
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		bt := "-"
		if r.blocks > 0 {
			bt = fmt.Sprintf("%.2f", r.wall/float64(r.blocks))
		}
		incl := "-"
		if len(r.protoLat) > 0 {
			incl = fmt.Sprintf("%d / %d", percentile(r.protoLat, 0.50), percentile(r.protoLat, 0.95))
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %.1f | %.2f | %.2f | %.2f | %d | %d | %s | %s |\n",
			r.label, r.planned, r.ok, r.errors(), r.lost, r.wall, r.throughput(),
			percentile(r.secs, 0.50), percentile(r.secs, 0.95),
			percentile(r.blockLat, 0.50), percentile(r.blockLat, 0.95), incl, bt)
	}
	fmt.Fprintf(&b, "\nChat completions of max_tokens %d; latency from send to the validated answer; blocks = the receipt's X-Cortd-Height minus the height when the request was sent; from inclusion = X-Cortd-Height minus X-Cortd-Submitted-Height (2 at the protocol's floor: submitted in block H, validated in H+2, three blocks counting the submission's); lost = no answer, no receipt, or an error without the API's JSON error body.\n", maxTokens)
	for _, r := range rows {
		// A closed-loop level starts with every client's request at once: this
		// separates that first wave from the steady state.
		if n := len(r.laterLat); n > 0 && n < len(r.protoLat) {
			fmt.Fprintf(&b, "from inclusion at %s without each client's first request: p50 / p95 %d / %d blocks over %d answers\n",
				r.label, percentile(r.laterLat, 0.50), percentile(r.laterLat, 0.95), n)
		}
	}
	for _, r := range rows {
		if len(r.errs) > 0 {
			fmt.Fprintf(&b, "errors at %s: %s\n", r.label, r.errorSummary())
		}
	}
	return b.String()
}
