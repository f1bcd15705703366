package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/challengeagent"
	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/fetch"
)

// challengeAgentFlags are the miner's x/challenges flags (kept out of miner.go).
type challengeAgentFlags struct {
	agent, model string
	// contextAgent answers context-selection challenges: a program, or "" for the builtin grep.
	contextAgent string
	timeout      time.Duration
	maxPatch     int
	// allowLocal: --allow-local-network, for the snapshot download (the miner's only one).
	allowLocal bool
}

func (f *challengeAgentFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.agent, "challenge-agent", "", "answer coding challenges: path of an agent program (see sidecar/challengeagent), or \"builtin\" to ask the engine for a diff; empty: not opted in")
	fs.StringVar(&f.contextAgent, "challenge-context-agent", "", "answer context-selection challenges with this program (paths on its output or in $CHALLENGE_ANSWER); empty: the builtin selector (the files declaring the identifiers the statement names)")
	fs.StringVar(&f.model, "challenge-model", "", "model the builtin agent asks (default: the first served model)")
	fs.DurationVar(&f.timeout, "challenge-timeout", 5*time.Minute, "bound on one agent run")
	fs.IntVar(&f.maxPatch, "challenge-max-patch", 1<<20, "largest patch taken from an agent, in bytes")
	registerAllowLocalNetwork(fs, &f.allowLocal)
}

// start opts the node in and runs the challenge agent beside the miner until ctx ends
// (nothing when --challenge-agent is empty). optIn: the signer is the node's operator.
func (f *challengeAgentFlags) start(ctx context.Context, nodeID, stateDir string, optIn bool, served []string,
	c *chain.Client, s *chain.Signer, e engine.Engine,
) error {
	if f.agent == "" {
		return nil
	}
	var solver challengeagent.Solver = challengeagent.Program{Path: f.agent, Timeout: f.timeout, MaxOutput: f.maxPatch}
	if f.agent == "builtin" {
		model := f.model
		if model == "" && len(served) > 0 {
			model = served[0]
		}
		if model == "" {
			return errors.New("--challenge-agent builtin needs --challenge-model (or --serve)")
		}
		solver = challengeagent.EngineSolver{E: e, Model: model, MaxTokens: 1024, MaxContextBytes: 16 << 10}
	}
	var selector challengeagent.Selector = challengeagent.GrepSelector{}
	if f.contextAgent != "" {
		selector = challengeagent.Program{Path: f.contextAgent, Timeout: f.timeout, MaxOutput: f.maxPatch}
	}
	a, err := challengeagent.New(challengeagent.Config{NodeID: nodeID, StateDir: filepath.Join(stateDir, "challenges"),
		OptIn: optIn, Fetch: fetch.Options{AllowLocal: f.allowLocal}, Selector: selector}, c, s, solver, slog.Default())
	if err != nil {
		return err
	}
	go func() {
		if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			slog.Error("challenge agent stopped", "err", err)
		}
	}()
	return nil
}
