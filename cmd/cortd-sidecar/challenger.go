package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/challenger"
)

func init() { roleCommands = append(roleCommands, newChallengerCmd) }

func newChallengerCmd() *cobra.Command {
	var cf chainFlags
	var cfg challenger.Config
	var repo, kind, spec, testCmd, serve string
	var seed uint64
	var maxTries int
	var testTimeout time.Duration
	var revealOnly bool
	cmd := &cobra.Command{
		Use:   "challenger",
		Short: "Validators: make a bugfix (context-selection, codegen) challenge from a local Go repository, post it, reveal its tests on time",
		Long: `Makes one challenge and posts it, then reveals its hidden tests once the reveal window
has closed. bugfix: mutates one function of --repo (seeded by --seed), keeping the
mutation only if the code builds, the tests fail, and they pass again without it.
context-selection: the same planted bug; the statement names the broken function, the
answer is the list of files the fix changes, and the hidden "tests" are that answer key.
codegen: --spec names a JSON file {statement, checklist, context_paths, test_command, tests}.
The tests and their salt wait in --state-dir until the reveal; a restart reveals what an
earlier run posted. With --serve the archives are served over HTTP (/files/<name>) and the
process keeps serving after the reveal until stopped; otherwise they are file:// URLs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cf.key == "" {
				return errors.New("--key is required")
			}
			if cfg.StateDir == "" {
				cfg.StateDir = filepath.Join(cf.home, "challenger")
			}
			if cfg.PublishDir == "" {
				cfg.PublishDir = filepath.Join(cfg.StateDir, "public")
			}
			ctx := cmd.Context()

			var ch *challenger.Challenge
			if !revealOnly {
				c, err := prepareChallenge(ctx, kind, repo, spec, testCmd, seed, maxTries, testTimeout)
				if err != nil {
					return err
				}
				ch = &c
			}
			var ln net.Listener
			if serve != "" {
				var err error
				if ln, err = net.Listen("tcp", serve); err != nil {
					return err
				}
				if cfg.BaseURL == "" {
					cfg.BaseURL = "http://" + ln.Addr().String() + "/files/"
				}
			}
			c, s, err := cf.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			p, err := challenger.NewPoster(cfg, c, s, slog.Default())
			if err != nil {
				return err
			}
			var hs *httpService
			if ln != nil {
				hs = startHTTP(ln, newHTTPServer(p.Handler()), "file server")
				slog.Info("serving archives, /healthz and /metrics", "addr", ln.Addr().String())
			}
			err = postAndWatch(ctx, cmd, p, ch, hs != nil)
			if hs != nil {
				return roleResult(err, hs.shutdown())
			}
			return roleResult(err, nil)
		},
	}
	f := cmd.Flags()
	cf.register(f)
	f.StringVar(&repo, "repo", "", "the Go repository with tests (never modified: work happens on a copy)")
	f.StringVar(&kind, "type", "bugfix", "challenge type: bugfix, context-selection or codegen")
	f.StringVar(&spec, "spec", "", "codegen: the JSON spec file")
	f.StringVar(&testCmd, "test-command", "go test ./...", "bugfix, context-selection: the test command used to check the mutation (posted for bugfix)")
	f.Uint64Var(&seed, "seed", 0, "bugfix, context-selection: seed of the mutation choice (0: from the clock)")
	f.IntVar(&maxTries, "max-tries", 20, "bugfix: mutation sites tried before giving up")
	f.DurationVar(&testTimeout, "test-timeout", 2*time.Minute, "bugfix: bound on one build or test run")
	f.BoolVar(&revealOnly, "reveal-only", false, "post nothing: reveal the tests of challenges an earlier run posted")
	f.StringVar(&cfg.StateDir, "state-dir", "", "keeps tests and salts until the reveal (default <home>/challenger)")
	f.StringVar(&cfg.PublishDir, "publish-dir", "", "where the archives are published (default <state-dir>/public)")
	f.StringVar(&cfg.BaseURL, "base-url", "", "URL of --publish-dir (default: http://<serve>/files/ with --serve, else file://)")
	f.StringVar(&serve, "serve", "", "serve the archives, /healthz and /metrics on this address (e.g. 127.0.0.1:8095)")
	f.Uint32Var(&cfg.MinMiners, "min-miners", 1, "fewest invited miners")
	f.Uint32Var(&cfg.MaxMiners, "max-miners", 3, "most invited miners")
	f.Uint64Var(&cfg.ResponseWindow, "response-window", 60, "blocks for miners to commit")
	f.Uint64Var(&cfg.EvaluationWindow, "evaluation-window", 60, "blocks for evaluators after the tests reveal")
	f.DurationVar(&cfg.PollInterval, "poll", 2*time.Second, "how often the challenge's status is read")
	return cmd
}

// postAndWatch posts ch (when not nil, printing its id), reveals the tests of what this
// key posted once their windows allow, and, when serving, keeps serving until stopped.
func postAndWatch(ctx context.Context, cmd *cobra.Command, p *challenger.Poster, ch *challenger.Challenge, serving bool) error {
	if ch != nil {
		id, err := p.Post(ctx, *ch)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), id)
	}
	if err := p.Watch(ctx); err != nil {
		return err
	}
	if serving {
		slog.Info("tests revealed; serving until stopped")
		<-ctx.Done()
	}
	return nil
}

// prepareChallenge builds the challenge to post from the flags.
func prepareChallenge(ctx context.Context, kind, repo, spec, testCmd string, seed uint64, maxTries int,
	testTimeout time.Duration,
) (challenger.Challenge, error) {
	if repo == "" {
		return challenger.Challenge{}, errors.New("--repo is required")
	}
	switch kind {
	case "bugfix":
		if seed == 0 {
			seed = uint64(time.Now().UnixNano())
		}
		b, err := challenger.MakeBugfix(ctx, challenger.BugfixOptions{Repo: repo, TestCommand: testCmd, Seed: seed,
			MaxTries: maxTries, Run: challenger.ShellRunner(testTimeout), Log: slog.Default()})
		if err != nil {
			return challenger.Challenge{}, err
		}
		slog.Info("bug injected", "site", b.Site.String(), "seed", seed, "tried", b.Tried)
		return b.Challenge(), nil
	case "context-selection":
		if seed == 0 {
			seed = uint64(time.Now().UnixNano())
		}
		c, err := challenger.MakeContextSelection(ctx, challenger.BugfixOptions{Repo: repo, TestCommand: testCmd, Seed: seed,
			MaxTries: maxTries, Run: challenger.ShellRunner(testTimeout), Log: slog.Default()})
		if err != nil {
			return challenger.Challenge{}, err
		}
		slog.Info("context selection made from a planted bug", "site", c.Bug.Site.String(), "key", c.Key, "seed", seed, "tried", c.Bug.Tried)
		return c.Challenge(), nil
	case "codegen":
		if spec == "" {
			return challenger.Challenge{}, errors.New("--spec is required with --type codegen")
		}
		s, err := challenger.LoadSpec(spec)
		if err != nil {
			return challenger.Challenge{}, err
		}
		c, err := challenger.MakeCodegen(repo, s)
		if err != nil {
			return challenger.Challenge{}, err
		}
		return c.Challenge(), nil
	default:
		return challenger.Challenge{}, fmt.Errorf("--type %q: want bugfix, context-selection or codegen", kind)
	}
}
