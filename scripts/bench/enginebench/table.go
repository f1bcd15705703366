package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// record is one JSON line of enginebench or bench.mjs, with the fields
// engine-vs-llamacpp.sh adds (model, format, round).
type record struct {
	Model     string  `json:"model"`
	Format    string  `json:"format"`
	Round     int     `json:"round"`
	Side      string  `json:"side"`
	Case      string  `json:"case"`
	PPTokens  int     `json:"pp_tokens"`
	PPS       float64 `json:"pp_s"`
	TGTokens  int     `json:"tg_tokens"`
	TGS       float64 `json:"tg_s"`
	Threads   int     `json:"threads"`
	Lib       string  `json:"lib"`
	Variant   string  `json:"lib_variant"`
	Input     string  `json:"input"`
	MaxRSSMiB float64 `json:"max_rss_mib"`
	GenIDs    []int   `json:"gen_ids"`
}

// rate is the case's figure in tokens/s: generation when the case generates,
// else prompt processing.
func (r record) rate() (float64, error) {
	if r.TGTokens > 0 {
		if r.TGS <= 0 {
			return 0, fmt.Errorf("%s %s %s round %d: tg_s %v", r.Side, r.Format, r.Case, r.Round, r.TGS)
		}
		return float64(r.TGTokens) / r.TGS, nil
	}
	if r.PPS <= 0 || r.PPTokens <= 0 {
		return 0, fmt.Errorf("%s %s %s round %d: pp_tokens %d, pp_s %v", r.Side, r.Format, r.Case, r.Round, r.PPTokens, r.PPS)
	}
	return float64(r.PPTokens) / r.PPS, nil
}

// median of xs (mean of the middle two for an even count); xs is not reordered.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// readRecords reads JSON lines; blank lines are skipped, anything else that
// is not a record is an error naming the line.
func readRecords(r io.Reader, name string) ([]record, error) {
	var out []record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		var rec record
		if err := json.Unmarshal([]byte(t), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if rec.Side != "engine" && rec.Side != "llama.cpp" {
			return nil, fmt.Errorf("%s:%d: side %q (want engine or llama.cpp)", name, line, rec.Side)
		}
		if rec.Case == "" || rec.Format == "" || rec.Threads < 1 {
			return nil, fmt.Errorf("%s:%d: a record needs case, format and threads", name, line)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// caseLabel describes a case for the table's figure column.
func caseLabel(r record) string {
	if r.TGTokens > 0 {
		return fmt.Sprintf("generation: %d tokens after %d (tok/s)", r.TGTokens, r.PPTokens)
	}
	return fmt.Sprintf("prompt processing: %d tokens (tok/s)", r.PPTokens)
}

// commonPrefix is how many leading ids a and b share.
func commonPrefix(a, b []int) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

type groupKey struct {
	model, cas string
	threads    int
	format     string
}

type group struct {
	label             string
	rates             map[string][]float64 // side → rates
	rss               map[string][]float64
	input             string
	engineIDs, llaIDs []int
}

// writeTable prints a markdown table of medians per model, case, threads and
// format, in the order the records first appear.
func writeTable(w io.Writer, recs []record) error {
	var order []groupKey
	groups := map[groupKey]*group{}
	libs := map[string]bool{}
	for _, r := range recs {
		k := groupKey{r.Model, r.Case, r.Threads, r.Format}
		g := groups[k]
		if g == nil {
			g = &group{label: caseLabel(r), rates: map[string][]float64{}, rss: map[string][]float64{}}
			groups[k] = g
			order = append(order, k)
		}
		v, err := r.rate()
		if err != nil {
			return err
		}
		g.rates[r.Side] = append(g.rates[r.Side], v)
		if r.MaxRSSMiB > 0 {
			g.rss[r.Side] = append(g.rss[r.Side], r.MaxRSSMiB)
		}
		lib := r.Lib
		if r.Variant != "" {
			lib += " (" + r.Variant + ")"
		}
		libs[r.Side+": "+lib] = true
		if r.Side == "engine" {
			g.input = r.Input
			if g.engineIDs == nil {
				g.engineIDs = r.GenIDs
			}
		} else if g.llaIDs == nil {
			g.llaIDs = r.GenIDs
		}
	}
	// Models and cases in the order they first appear, then threads; formats
	// keep their order (the sort is stable).
	first := map[string]int{}
	for i, k := range order {
		for _, s := range []string{"m:" + k.model, "c:" + k.cas} {
			if _, ok := first[s]; !ok {
				first[s] = i
			}
		}
	}
	slices.SortStableFunc(order, func(a, b groupKey) int {
		if a.model != b.model {
			return first["m:"+a.model] - first["m:"+b.model]
		}
		if a.cas != b.cas {
			return first["c:"+a.cas] - first["c:"+b.cas]
		}
		return a.threads - b.threads
	})
	names := make([]string, 0, len(libs))
	for l := range libs {
		names = append(names, l)
	}
	slices.Sort(names)
	fmt.Fprintf(w, "paths: %s\n\n", strings.Join(names, "; "))
	fmt.Fprintln(w, "| model | figure | threads | format | engine input | engine | llama.cpp | engine / llama.cpp | rounds | same greedy ids | peak RSS MiB engine / llama.cpp |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, k := range order {
		g := groups[k]
		e, l := median(g.rates["engine"]), median(g.rates["llama.cpp"])
		ratio := "-"
		if e > 0 && l > 0 {
			ratio = fmt.Sprintf("%.2f", e/l)
		}
		ids := "-"
		if len(g.engineIDs) > 0 && len(g.llaIDs) > 0 {
			ids = fmt.Sprintf("%d/%d", commonPrefix(g.engineIDs, g.llaIDs), min(len(g.engineIDs), len(g.llaIDs)))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %d/%d | %s | %s / %s |\n",
			k.model, g.label, k.threads, k.format, orDash(g.input), num(e), num(l), ratio,
			len(g.rates["engine"]), len(g.rates["llama.cpp"]), ids,
			num(median(g.rss["engine"])), num(median(g.rss["llama.cpp"])))
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// num formats a figure with three significant digits or so; 0 is "-".
func num(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// tableMain prints the table of the JSON-lines files given.
func tableMain(paths []string, w io.Writer) error {
	var all []record
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		recs, err := readRecords(f, p)
		f.Close()
		if err != nil {
			return err
		}
		all = append(all, recs...)
	}
	if len(all) == 0 {
		return fmt.Errorf("no records in %s", strings.Join(paths, ", "))
	}
	return writeTable(w, all)
}
