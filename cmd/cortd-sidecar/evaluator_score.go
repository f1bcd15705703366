package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/evaluator"
	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/sidecar/sandbox"
)

// newEvaluatorScoreCmd scores local patches the way the evaluator role does,
// with no chain: for operators checking their sandbox, and for scripts.
func newEvaluatorScoreCmd() *cobra.Command {
	var snapshot, tests, testCommand, workDir, stdCache, bwrap string
	var wall time.Duration
	cmd := &cobra.Command{
		Use:   "score PATCH...",
		Short: "Score local patch files against a local snapshot and tests archive (no chain); prints one JSON line per patch",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if snapshot == "" || tests == "" {
				return errors.New("--snapshot and --tests are required")
			}
			ctx := cmd.Context()
			sb := sandbox.Config{Bwrap: bwrap, Limits: sandbox.Limits{Wall: wall}}
			if err := sandbox.Check(ctx, sb); err != nil {
				return err
			}
			snap, err := localArtifact(snapshot)
			if err != nil {
				return err
			}
			tst, err := localArtifact(tests)
			if err != nil {
				return err
			}
			if workDir == "" {
				workDir = evaluator.DefaultWorkRoot(".")
			}
			// The artifacts are the operator's own local files (file:// URLs), not URLs
			// from the chain: reading them is the point.
			ev, err := evaluator.New(evaluator.Config{Sandbox: sb, WorkRoot: workDir, StdCacheDir: stdCache,
				Fetch: fetch.Options{AllowLocal: true}, Log: slog.Default()})
			if err != nil {
				return err
			}
			p, err := ev.Prepare(ctx, evaluator.Challenge{Snapshot: snap, Tests: tst, TestCommand: testCommand})
			if err != nil {
				return err
			}
			defer p.Close()
			enc := json.NewEncoder(cmd.OutOrStdout())
			for _, f := range args {
				patch, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				o := p.Score(ctx, patch)
				if err := enc.Encode(map[string]any{"patch": f, "score_bps": o.ScoreBps, "passed": o.Passed, "run": o.Run,
					"reason": o.Reason, "limit": string(o.Limit), "seconds": o.Duration.Seconds()}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&snapshot, "snapshot", "", "snapshot tar.gz (local file)")
	f.StringVar(&tests, "tests", "", "hidden tests tar.gz (local file)")
	f.StringVar(&testCommand, "test-command", "go test ./...", "the challenge's test command")
	f.StringVar(&workDir, "work-dir", "", "folder for the challenge files (default ./evaluator, or a temp folder)")
	f.StringVar(&stdCache, "std-cache", "", "warm Go build cache of the standard library (default <work-dir>/gocache-std)")
	f.StringVar(&bwrap, "bwrap", "", "path of bwrap (empty: from PATH)")
	f.DurationVar(&wall, "wall", sandbox.DefaultLimits.Wall, "wall-clock limit of one patch's run")
	return cmd
}

// localArtifact names a local file the way the chain names an artifact.
func localArtifact(path string) (evaluator.Artifact, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return evaluator.Artifact{}, err
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return evaluator.Artifact{}, err
	}
	sum := sha256.Sum256(b)
	return evaluator.Artifact{URL: "file://" + abs, SHA256: hex.EncodeToString(sum[:]), Size: uint64(len(b))}, nil
}
