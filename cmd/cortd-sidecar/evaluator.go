package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/evaluator"
	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/sidecar/sandbox"
)

func init() { roleCommands = append(roleCommands, newEvaluatorCmd) }

func newEvaluatorCmd() *cobra.Command {
	var cf chainFlags
	var rc evaluator.RunnerConfig
	var workDir, stdCache, listen, bwrap string
	var lim sandbox.Limits
	var memMB, outKB int64
	var maxPatch int
	var allowLocal, probe bool
	var pc evaluator.ProberConfig
	cmd := &cobra.Command{
		Use:   "evaluator",
		Short: "Validators: score the revealed patches of x/challenges challenges in a bubblewrap sandbox and submit the scores",
		Long: `Watches challenges whose hidden tests are revealed (events, with a polling backstop),
fetches each challenge's snapshot and tests (sizes and sha256 enforced), runs every revealed
patch in a bubblewrap sandbox (no network, no /proc, read-only toolchain, tmpfs work dir,
CPU/memory/process/output/wall-clock limits) under the evaluator's own test main, and sends
one MsgSubmitScores per challenge (score = hidden tests passed / hidden tests, in basis
points, as reported over a channel the patch's code cannot reach: see x/challenges/README.md).
Patches run --parallel at a time, cheapest first, within the challenge's evaluation window.
Context-selection challenges run nothing: their file lists are scored by F1 against the
answer key. With --probe-availability (default) it also GETs <endpoint>/availability of
every miner invited to a challenge in COMMIT that has not committed, and reports the ones
that do not answer (MsgReportUnavailable; x/challenges skips them in later invitations).
Needs bwrap: scripts/install-bwrap.sh.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cf.key == "" {
				return errors.New("--key is required")
			}
			ctx := cmd.Context()
			lim.Memory, lim.Output = memMB<<20, outKB<<10
			sb := sandbox.Config{Bwrap: bwrap, Limits: lim}
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := sandbox.Check(cctx, sb)
			cancel()
			if err != nil {
				return err
			}
			if workDir == "" {
				workDir = evaluator.DefaultWorkRoot(cf.home)
			}
			ev, err := evaluator.New(evaluator.Config{Sandbox: sb, WorkRoot: workDir, StdCacheDir: stdCache,
				MaxPatchBytes: maxPatch, Fetch: fetch.Options{AllowLocal: allowLocal}, Log: slog.Default()})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			c, s, err := cf.connect(ctx)
			if err != nil {
				ln.Close()
				return err
			}
			defer c.Close()
			gc := evaluator.NewGRPCChain(c, s)
			r := evaluator.NewRunner(ev, gc, rc, slog.Default())
			if probe {
				pc.Fetch = fetch.Options{AllowLocal: allowLocal}
				pr := evaluator.NewProber(gc, pc, slog.Default())
				pr.Register(r.M)
				go func() {
					if err := pr.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
						slog.Error("availability prober stopped", "err", err)
					}
				}()
			}
			hs := startHTTP(ln, newHTTPServer(r.Handler()), "metrics server")
			slog.Info("evaluator starting", "key", s.Name(), "address", s.Address(), "work_dir", workDir,
				"listen", ln.Addr().String(), "wall", lim.Wall, "cpu", lim.CPU, "memory_mb", memMB, "processes", lim.Processes)
			// The shared standard-library build cache (a minute or two the first
			// time, kept in the work dir afterwards).
			if err := ev.WarmUp(ctx); err != nil {
				slog.Error("warming the Go build cache failed; challenges will compile it themselves", "err", err)
			}
			err = r.Run(ctx)
			return roleResult(err, hs.shutdown())
		},
	}
	cmd.AddCommand(newEvaluatorScoreCmd())
	f := cmd.Flags()
	cf.register(f)
	d := sandbox.DefaultLimits
	f.StringVar(&workDir, "work-dir", "", "folder for challenge files and the build cache (default <home>/evaluator; as root, when that is not searchable by others, a folder in the temp dir)")
	f.StringVar(&stdCache, "std-cache", "", "warm Go build cache of the standard library, shareable by evaluators on one machine (default <work-dir>/gocache-std)")
	f.StringVar(&listen, "listen", "127.0.0.1:8093", "address of /healthz and /metrics")
	f.StringVar(&bwrap, "bwrap", "", "path of bwrap (empty: from PATH)")
	registerAllowLocalNetwork(f, &allowLocal)
	f.DurationVar(&rc.Poll, "poll", 15*time.Second, "scan interval of evaluating challenges (backstop for events)")
	f.IntVar(&rc.MaxAttempts, "max-attempts", 3, "failed preparations or submissions of a challenge before it is given up")
	f.Int64Var(&rc.MarginBlocks, "margin-blocks", 2, "do not start a challenge this close to its evaluation end; send scores this many blocks before it")
	f.IntVar(&rc.Parallel, "parallel", max(1, runtime.NumCPU()/2), "patches evaluated at once (each sandbox may use more than one core while it builds)")
	f.DurationVar(&rc.BlockTime, "block-time", time.Second, "block time assumed until blocks have been observed (smaller is safer: evaluation stops early)")
	f.DurationVar(&rc.QuickWall, "quick-wall", 0, "wall limit of a patch's first run (0: 3x the baseline's duration, at least 20s); patches that hit it are re-run with --wall while the challenge's window lasts")
	f.IntVar(&maxPatch, "max-patch-bytes", 1<<20, "patches larger than this score 0")
	f.BoolVar(&probe, "probe-availability", true, "probe the /availability of miners invited to open challenges and report those that do not answer")
	f.DurationVar(&pc.Poll, "probe-poll", 5*time.Second, "scan interval of challenges in COMMIT for availability probes")
	f.DurationVar(&pc.Timeout, "probe-timeout", 5*time.Second, "bound on one availability probe")
	f.IntVar(&pc.Attempts, "probe-attempts", 3, "failed probes (2 s apart) before a miner is reported unavailable")
	f.DurationVar(&lim.Wall, "wall", d.Wall, "wall-clock limit of one patch's run")
	f.DurationVar(&lim.CPU, "cpu", d.CPU, "CPU time limit per process")
	f.Int64Var(&memMB, "memory-mb", d.Memory>>20, "address-space limit per process, MiB")
	f.IntVar(&lim.Processes, "processes", d.Processes, "processes and threads in the sandbox")
	f.Int64Var(&outKB, "output-kb", d.Output>>10, "captured output; more kills the run")
	return cmd
}
