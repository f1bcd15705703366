// Command verifybench measures how session verification treats honest nodes and how often
// it catches each kind of cheating node (`make bench-verify`, scripts/bench/verify.sh).
//
//	verifybench [-tasks 100] [-max-tokens 32] [-models tiny,tiny-llama | -model DIR] [-out FILE]
//
// For every class of node (honest, random text, unrelated fluent text, an answer copied from
// another task, a truncated answer, another model of the same shape, the model's q8_0 and
// bf16 weights, a wrong temperature, a wrong seed, the prompt ignored) and both verification
// modes (embedding: the medoid at the model's similarity threshold; exact: a quorum of
// identical results under the chain's seed), it runs -tasks tasks of redundancy 3: two honest
// nodes and one node of the class. Validation is the chain's own pure judge
// (sessionstypes.Judge at SimilarityThresholdFor(model), sessionstypes.JudgeExact) applied to
// exactly what each node would commit (miner.Compute: the engine's completion and the
// miner's Quantize of its embedding); the audit is the auditor's own CheckSessionTask on
// every task that validated with the class's node paid (the chain audits a sampled
// audit_fraction_bps of validated tasks; the table gives the catch rate per audit and the
// expected blocks until slashing that follows from the default params).
//
// Everything runs in one process, against one native engine: the chain's decisions are pure
// functions of what the nodes commit (the keeper only stores and pays), and the auditor's
// decision is a pure function of the task and the engine, so a multi-process network would
// add block times and transport, not change a single verdict, and would make a thousand
// tasks take hours instead of minutes. The two honest nodes commit the same bits (the
// native engine is deterministic across threads, batches and runs), so their result is
// computed once per task.
//
// Models: the demo's random models (`model init` as scripts/localnet.sh runs it: tiny, a
// 2-layer GPT-2 of width 64, and tiny-llama, a 2-layer Llama of width 96), each with a
// same-shaped twin of another seed, its q8_0 and bf16 GGUF folders (the converter of `model
// quantize`) and a 2,048-context copy for the long replay cost; or -model DIR for any
// safetensors model folder (no twin: the other-weights class is then not applicable).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cortnet/cortd/sidecar/engine/native"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

type config struct {
	Tasks, MaxTokens, Quorum, LongTokens, Rounds int
	Models, Model, Out, Modes, Only, Work        string
	Seed                                         uint64
	TasksPerBlock                                float64
	Big                                          bool
}

func main() {
	var c config
	flag.IntVar(&c.Tasks, "tasks", 100, "tasks per model, class and mode")
	flag.IntVar(&c.MaxTokens, "max-tokens", 32, "max_tokens of every task")
	flag.IntVar(&c.Quorum, "quorum", 2, "session quorum (redundancy is 3)")
	flag.IntVar(&c.LongTokens, "long-tokens", 1024, "answer length for the long replay cost (0 skips it)")
	flag.IntVar(&c.Rounds, "rounds", 3, "timed rounds of the long replay cost (median)")
	flag.StringVar(&c.Models, "models", "tiny,tiny-llama,tiny-bpe", "built-in random models (tiny, tiny-llama, tiny-bpe)")
	flag.StringVar(&c.Model, "model", "", "a safetensors model folder to measure instead of the built-in models")
	flag.StringVar(&c.Out, "out", "", "also write the report (markdown) to this file")
	flag.StringVar(&c.Modes, "modes", "embedding,exact", "verification modes")
	flag.StringVar(&c.Only, "classes", "", "comma-separated classes to run (default all)")
	flag.StringVar(&c.Work, "work", "", "models dir to create (default: a temp dir, removed at the end)")
	flag.Uint64Var(&c.Seed, "seed", 1, "seed of the task mix")
	flag.BoolVar(&c.Big, "big", true, "also measure the long replay cost on a random model of GPT-2 small's shape (124M parameters)")
	flag.Float64Var(&c.TasksPerBlock, "tasks-per-block", 1, "tasks a node completes per block, for the blocks-to-slash estimate")
	flag.Parse()
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "verifybench:", err)
		os.Exit(1)
	}
}

func modeOf(name string) (sessionstypes.VerificationMode, error) {
	switch name {
	case "embedding":
		return sessionstypes.VERIFICATION_MODE_EMBEDDING, nil
	case "exact":
		return sessionstypes.VERIFICATION_MODE_EXACT, nil
	}
	return 0, fmt.Errorf("unknown mode %q (want embedding or exact)", name)
}

func run(ctx context.Context, c config, stdout *os.File) error {
	if c.Tasks < 1 || c.MaxTokens < 1 || c.Quorum < 1 || c.Quorum > len(nodeIDs) {
		return fmt.Errorf("-tasks and -max-tokens must be positive and -quorum in 1..%d", len(nodeIDs))
	}
	var modes []sessionstypes.VerificationMode
	var modeNames []string
	for _, m := range strings.Split(c.Modes, ",") {
		v, err := modeOf(strings.TrimSpace(m))
		if err != nil {
			return err
		}
		modes, modeNames = append(modes, v), append(modeNames, strings.TrimSpace(m))
	}
	cls, err := pick(classes(), c.Only)
	if err != nil {
		return err
	}
	root := c.Work
	if root == "" {
		if root, err = os.MkdirTemp("", "verifybench-"); err != nil {
			return err
		}
		defer os.RemoveAll(root)
	} else if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	begin := time.Now()
	sets, err := prepare(root, strings.Split(c.Models, ","), c.Model)
	if err != nil {
		return err
	}
	if c.Big {
		if err := prepareBig(root); err != nil {
			return err
		}
	}
	eng := &native.Engine{M: native.NewManager(root, 0, slog.New(slog.DiscardHandler))}
	setup := time.Since(begin)
	p := sessionstypes.DefaultParams()
	ap := auditstypes.DefaultParams()
	cp := chainParams{AuditFractionBps: uint64(p.AuditFractionBps), AuditDeadline: ap.AuditDeadlineBlocks,
		VotingWindow: ap.VotingWindowBlocks, TasksPerBlock: c.TasksPerBlock}
	var rows []row
	var cost costs
	var modelIDs []string
	for _, set := range sets {
		modelIDs = append(modelIDs, set.ID)
		h, err := newHarness(ctx, eng, []modelSet{set}, makeTasks(c.Tasks, []string{set.ID}, uint32(c.MaxTokens), c.Seed))
		if err != nil {
			return err
		}
		for mi, mode := range modes {
			for _, cl := range cls {
				fmt.Fprintf(os.Stderr, "%s %s %s: %s ...", set.ID, modeNames[mi], cl.Name, cl.What)
				start := time.Now()
				t, err := h.run(ctx, cl, mode, p, c.Quorum)
				if err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, " %.1fs\n", time.Since(start).Seconds())
				if t.AuditErrors > 0 {
					return fmt.Errorf("%s/%s/%s: %d audits could not judge (%s)", set.ID, modeNames[mi], cl.Name, t.AuditErrors, strings.Join(t.Notes, "; "))
				}
				rows = append(rows, row{Model: set.ID, Class: cl.Name, Mode: modeNames[mi], T: t})
			}
		}
		tc, err := h.measureTasks(ctx, eng, set.ID)
		if err != nil {
			return err
		}
		cost.PerTask = append(cost.PerTask, tc)
		if c.LongTokens > 0 {
			lc, err := h.measureLong(ctx, eng, set.CostID, c.LongTokens, c.Rounds)
			if err != nil {
				return fmt.Errorf("long replay cost on %s: %w", set.CostID, err)
			}
			cost.Long = append(cost.Long, lc)
		}
	}
	if c.Big && c.LongTokens > 0 {
		h := &harness{eng: eng}
		lc, err := h.measureLong(ctx, eng, bigID, c.LongTokens, 1) // seconds per run: one round
		if err != nil {
			return fmt.Errorf("long replay cost on %s: %w", bigID, err)
		}
		cost.Long = append(cost.Long, lc)
	}
	measured := time.Since(begin) - setup
	report := header(c, modelIDs, p, cp, setup, measured) + tables(rows, cp) + "\n" + summary(rows, cost) + "\n" + cost.String()
	fmt.Fprint(stdout, report)
	if c.Out != "" {
		return os.WriteFile(c.Out, []byte(report), 0o644)
	}
	return nil
}

// pick keeps the named classes (all when only is empty).
func pick(all []class, only string) ([]class, error) {
	if only == "" {
		return all, nil
	}
	var out []class
	for _, n := range strings.Split(only, ",") {
		found := false
		for _, c := range all {
			if c.Name == strings.TrimSpace(n) {
				out, found = append(out, c), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown class %q", n)
		}
	}
	return out, nil
}

// header: the run's settings, machine and params, before the table.
func header(c config, models []string, p sessionstypes.Params, cp chainParams, setup, measured time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verifybench: %d tasks per model, class and mode, redundancy 3 (2 honest + 1 of the class), quorum %d, max_tokens %d, models %s, seed %d\n",
		c.Tasks, c.Quorum, c.MaxTokens, strings.Join(models, ", "), c.Seed)
	fmt.Fprintf(&b, "machine: %d CPUs (GOMAXPROCS %d), %s, %s; load %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), cpuModel(), cpuISA(), loadAvg())
	var th []string
	for _, m := range models {
		th = append(th, m+" "+p.SimilarityThresholdFor(m).String())
	}
	fmt.Fprintf(&b, "params: similarity threshold %s; replay_min_score %s; audit_fraction_bps %d, audit_deadline_blocks %d, voting_window_blocks %d; %.3g tasks per block per node\n",
		strings.Join(th, ", "), p.ReplayMinScoreFor(models[0]), cp.AuditFractionBps, cp.AuditDeadline, cp.VotingWindow, cp.TasksPerBlock)
	fmt.Fprintf(&b, "time: models %.1fs, tasks %.1fs\n\n", setup.Seconds(), measured.Seconds())
	return b.String()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// cpuISA names the vector extensions the engine's kernels can use.
func cpuISA() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "ISA unknown"
	}
	flags := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "flags" {
			for _, f := range strings.Fields(v) {
				flags[f] = true
			}
			break
		}
	}
	var have []string
	for _, f := range []string{"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16"} {
		if flags[f] {
			have = append(have, f)
		}
	}
	if len(have) == 0 {
		return "no AVX2"
	}
	return strings.Join(have, " ")
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
