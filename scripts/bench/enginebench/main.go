// Command enginebench is the native engine's side of scripts/bench/engine-vs-llamacpp.sh:
// prompt processing and greedy generation on given token ids, timed the way
// scripts/bench/llamacpp/bench.mjs times llama.cpp, one JSON line per case.
//
//	enginebench -model PATH -threads T -ids IDS_FILE -case NAME=P:N [-case ...]
//
// PATH is whatever native.Load accepts: a safetensors model folder, or a .gguf file once
// the engine reads GGUF. GOMAXPROCS is set to T. A case NAME=P:N runs the first P ids of
// IDS_FILE through the prefill generation does (Generator's first Next: the forward pass
// over the prompt, the logits of its last position and the greedy pick), timed as prompt
// processing, then N more Next calls (one token forward, logits, argmax each), timed as
// generation. Every case starts from an empty state; an untimed warm-up runs first.
//
//	enginebench -table RESULTS.jsonl...
//
// prints the markdown table of medians and ratios of such lines (with the fields the script
// adds: model, format, round).
//
//	enginebench -write-ids N -seed S -model DIR -out FILE
//
// writes N token ids for DIR's tokenizer.json: the tokenizer's own prefix (BOS where the
// family adds one) followed by ids drawn from a seeded PCG among the ordinary (non-special)
// tokens, so both engines get the same valid, reproducible prompt.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/kernelinfo"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// benchCase is one measurement: a prompt of P ids, then N generated tokens.
type benchCase struct {
	Name string
	P, N int
}

var caseRE = regexp.MustCompile(`^([A-Za-z0-9_@.-]+)=(\d+):(\d+)$`)

func parseCase(s string) (benchCase, error) {
	m := caseRE.FindStringSubmatch(s)
	if m == nil {
		return benchCase{}, fmt.Errorf("bad case %q (want NAME=P:N)", s)
	}
	p, err1 := strconv.Atoi(m[2])
	n, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil || p < 1 || p > 1<<20 || n > 1<<20 {
		return benchCase{}, fmt.Errorf("bad case %q: P must be 1..%d and N 0..%d", s, 1<<20, 1<<20)
	}
	return benchCase{m[1], p, n}, nil
}

type caseList []benchCase

func (c *caseList) String() string { return fmt.Sprint(*c) }
func (c *caseList) Set(s string) error {
	bc, err := parseCase(s)
	if err != nil {
		return err
	}
	*c = append(*c, bc)
	return nil
}

// readIDs reads whitespace-separated non-negative token ids.
func readIDs(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ids []int
	for i, f := range strings.Fields(string(b)) {
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%s: item %d (%q) is not a token id", path, i, f)
		}
		ids = append(ids, v)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no token ids", path)
	}
	return ids, nil
}

// makeIDs returns n ids: tok's prefix, then seeded draws among its non-special tokens.
func makeIDs(tok *tokenizer.Tokenizer, n int, seed uint64) ([]int, error) {
	var plain []int
	for id := 0; id < tok.VocabSize(); id++ {
		if !tok.IsSpecial(id) {
			plain = append(plain, id)
		}
	}
	if len(plain) == 0 {
		return nil, errors.New("the tokenizer has no ordinary tokens")
	}
	ids := tok.Prefix()
	if len(ids) > n {
		ids = ids[:n]
	}
	rng := rand.New(rand.NewPCG(seed, 0x656e67696e656263))
	for len(ids) < n {
		ids = append(ids, plain[rng.IntN(len(plain))])
	}
	return ids, nil
}

// result is one case's JSON line (the same fields bench.mjs prints, plus the engine's).
type result struct {
	Side      string  `json:"side"`
	Case      string  `json:"case"`
	PPTokens  int     `json:"pp_tokens"`
	PPS       float64 `json:"pp_s"`
	TGTokens  int     `json:"tg_tokens"`
	TGS       float64 `json:"tg_s"`
	Threads   int     `json:"threads"`
	Lib       string  `json:"lib"`
	Kernels   string  `json:"kernels"`
	Input     string  `json:"input"`
	LoadS     float64 `json:"load_s"`
	MaxRSSMiB float64 `json:"max_rss_mib"`
	GenIDs    []int   `json:"gen_ids"`
}

// run times one case on m: the prefill (first Next) and n further tokens.
func run(m *native.Model, prompt []int, n int) (pp, tg time.Duration, gen []int, err error) {
	g, err := m.NewGenerator(prompt, engine.Params{MaxTokens: n, Temperature: 0})
	if err != nil {
		return 0, 0, nil, err
	}
	defer g.Close()
	t0 := time.Now()
	tok, ok, err := g.Next()
	pp = time.Since(t0)
	if err != nil {
		return 0, 0, nil, err
	}
	if !ok {
		return 0, 0, nil, fmt.Errorf("no token after a prompt of %d", len(prompt))
	}
	gen = append(gen, tok)
	t0 = time.Now()
	for i := 0; i < n; i++ {
		tok, ok, err = g.Next()
		if err != nil {
			return 0, 0, nil, err
		}
		if !ok {
			return 0, 0, nil, fmt.Errorf("context full after %d of %d generated tokens (prompt %d, context %d)", i, n, len(prompt), m.Cfg.MaxPos)
		}
		gen = append(gen, tok)
	}
	tg = time.Since(t0)
	return pp, tg, gen, nil
}

// maxRSSMiB reads the peak resident set (VmHWM) of this process; 0 if unknown.
func maxRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				if err == nil {
					return kb / 1024
				}
			}
		}
	}
	return 0
}

func main() {
	if err := mainErr(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(1)
	}
}

func mainErr(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("enginebench", flag.ContinueOnError)
	model := fs.String("model", "", "model folder (safetensors) or .gguf file, as native.Load takes it")
	threads := fs.Int("threads", 1, "GOMAXPROCS")
	idsPath := fs.String("ids", "", "file of whitespace-separated token ids")
	kern := fs.String("kernels", "", "force a kernel path (portable, avx2, avx512); default the fastest")
	writeIDs := fs.Int("write-ids", 0, "write this many token ids for -model's tokenizer.json to -out and exit")
	seed := fs.Uint64("seed", 1, "seed of -write-ids")
	out := fs.String("out", "", "output file of -write-ids")
	var cases caseList
	fs.Var(&cases, "case", "NAME=P:N: prompt of P ids, then N generated tokens (repeatable)")
	table := fs.Bool("table", false, "print the markdown table of the JSON-lines files given as arguments and exit")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the cases (not the load) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *table {
		return tableMain(fs.Args(), stdout)
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *model == "" {
		return errors.New("-model is required")
	}
	if *writeIDs > 0 {
		if *out == "" {
			return errors.New("-write-ids needs -out")
		}
		tok, err := tokenizer.Load(filepath.Join(*model, "tokenizer.json"))
		if err != nil {
			return err
		}
		ids, err := makeIDs(tok, *writeIDs, *seed)
		if err != nil {
			return fmt.Errorf("%s: %w", *model, err)
		}
		var sb strings.Builder
		for i, id := range ids {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(strconv.Itoa(id))
		}
		sb.WriteByte('\n')
		return os.WriteFile(*out, []byte(sb.String()), 0o644)
	}
	if *threads < 1 {
		return fmt.Errorf("-threads %d: must be at least 1", *threads)
	}
	if *idsPath == "" || len(cases) == 0 {
		return errors.New("-ids and at least one -case are required")
	}
	ids, err := readIDs(*idsPath)
	if err != nil {
		return err
	}
	for _, c := range cases {
		if c.P > len(ids) {
			return fmt.Errorf("case %s: prompt of %d tokens, %s has %d", c.Name, c.P, *idsPath, len(ids))
		}
	}
	if *kern != "" {
		if err := kernelinfo.Use(*kern); err != nil {
			return err
		}
	}
	runtime.GOMAXPROCS(*threads)

	t0 := time.Now()
	m, err := native.Load(*model)
	if err != nil {
		return err
	}
	load := time.Since(t0)
	for _, id := range ids {
		if id >= m.Cfg.Vocab {
			return fmt.Errorf("%s: token id %d is outside the model's vocabulary (%d)", *idsPath, id, m.Cfg.Vocab)
		}
	}
	input := "folder"
	if st, err := os.Stat(*model); err == nil && !st.IsDir() {
		input = "gguf"
	}
	runtime.GC()
	debug.FreeOSMemory()

	// Warm-up: fault in the weights and size the pools.
	if _, _, _, err := run(m, ids[:min(32, len(ids))], 4); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	enc := json.NewEncoder(stdout)
	for _, c := range cases {
		pp, tg, gen, err := run(m, ids[:c.P], c.N)
		if err != nil {
			return fmt.Errorf("case %s: %w", c.Name, err)
		}
		if len(gen) > 16 {
			gen = gen[:16]
		}
		if err := enc.Encode(result{
			Side: "engine", Case: c.Name,
			PPTokens: c.P, PPS: pp.Seconds(), TGTokens: c.N, TGS: tg.Seconds(),
			Threads: *threads, Lib: kernelinfo.Path(), Kernels: kernelinfo.Path(), Input: input,
			LoadS: load.Seconds(), MaxRSSMiB: maxRSSMiB(), GenIDs: gen,
		}); err != nil {
			return err
		}
	}
	return nil
}
