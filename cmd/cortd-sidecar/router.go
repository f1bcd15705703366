package main

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/router"
)

func newRouterCmd() *cobra.Command {
	var cf chainFlags
	var cfg router.Config
	var sc router.ServerConfig
	var addr, keysFile, price, deposit string
	var redundancy, quorum, minLevel, maxTokens uint32
	cmd := &cobra.Command{
		Use:   "router",
		Short: "OpenAI-compatible HTTP API whose answers are validated session results",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cf.key == "" {
				return errors.New("--key is required (it funds the router's sessions)")
			}
			p, ok := sdkmath.NewIntFromString(price)
			if !ok {
				return fmt.Errorf("--price %q: want an integer amount of ucor", price)
			}
			d, ok := sdkmath.NewIntFromString(deposit)
			if !ok {
				return fmt.Errorf("--deposit %q: want an integer amount of ucor", deposit)
			}
			cfg.Sessions = router.SessionConfig{Redundancy: redundancy, Quorum: quorum, MinLevel: minLevel,
				PricePerTask: p, MaxTokens: maxTokens, Deposit: d}
			if keysFile != "" {
				keys, err := router.LoadKeys(keysFile)
				if err != nil {
					return err
				}
				cfg.Keys = keys
			} else {
				slog.Warn("no --api-keys file: the API is open to anyone who can reach it")
			}
			ctx := cmd.Context()
			c, s, err := cf.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			rt, err := router.New(cfg, c, s, slog.Default())
			if err != nil {
				return err
			}
			ln, err := rt.Listen(addr, sc)
			if err != nil {
				return err
			}
			srv := rt.Server(sc)
			slog.Info("router serving", "addr", ln.Addr().String(), "key", s.Name(), "address", s.Address(),
				"redundancy", redundancy, "quorum", quorum, "keys", len(cfg.Keys),
				"task_rate_per_minute", cfg.TaskRatePerMinute, "key_budget_ucor_per_minute", cfg.Budgets.KeyPerMinute,
				"key_budget_ucor_per_day", cfg.Budgets.KeyPerDay, "global_budget_ucor_per_minute", cfg.Budgets.GlobalPerMinute,
				"global_budget_ucor_per_day", cfg.Budgets.GlobalPerDay, "topup_cap_ucor_per_day", cfg.TopUpCapPerDay,
				"max_conns", sc.MaxConns)
			return serveHTTP(ctx, ln, srv, "router")
		},
	}
	f := cmd.Flags()
	cf.register(f)
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	f.StringVar(&keysFile, "api-keys", "", "file of API keys (bearer tokens), one per line")
	f.IntVar(&cfg.RatePerMinute, "rate", 60, "requests per minute per API key (0: no limit)")
	f.IntVar(&cfg.Burst, "burst", 20, "requests an API key may send at once")
	// Spending limits: a task is one input run by one node (inputs × redundancy), and
	// costs --price ucor. The defaults let a key spend at most 0.5 COR a minute and 20
	// COR a day, and the router 2 COR a minute and 100 COR a day, at any price.
	f.IntVar(&cfg.TaskRatePerMinute, "task-rate", 180, "tasks (inputs × redundancy) per minute per API key (0: no limit)")
	f.IntVar(&cfg.TaskBurst, "task-burst", 96, "tasks an API key may submit at once (at least one full embeddings request)")
	f.Uint64Var(&cfg.Budgets.KeyPerMinute, "key-budget-minute", 500_000, "ucor one API key may spend in any minute (0: no budget)")
	f.Uint64Var(&cfg.Budgets.KeyPerDay, "key-budget-day", 20_000_000, "ucor one API key may spend in any 24 h (0: no budget)")
	f.Uint64Var(&cfg.Budgets.GlobalPerMinute, "global-budget-minute", 2_000_000, "ucor all API keys together may spend in any minute (0: no budget)")
	f.Uint64Var(&cfg.Budgets.GlobalPerDay, "global-budget-day", 100_000_000, "ucor all API keys together may spend in any 24 h (0: no budget)")
	f.Uint64Var(&cfg.TopUpCapPerDay, "topup-cap-day", 150_000_000, "ucor the router's key may deposit into its sessions (openings and top-ups) in any 24 h (0: no cap)")
	f.IntVar(&cfg.AuthLimit.Failures, "auth-failures", 10, "failed authentications from one address (IPv6: one /64) before it gets 429 (0: no limit)")
	f.DurationVar(&cfg.AuthLimit.Window, "auth-window", 5*time.Minute, "window of --auth-failures, counted from an address's first failure")
	f.IntVar(&cfg.AuthLimit.TableSize, "auth-table-size", 10_000, "addresses the failed-authentication table keeps (least recent evicted)")
	f.IntVar(&sc.MaxConns, "max-conns", 512, "connections served at once (more wait to be accepted)")
	f.DurationVar(&sc.ReadHeaderTimeout, "read-header-timeout", 10*time.Second, "time a client has to send its request headers")
	f.DurationVar(&sc.ReadTimeout, "read-timeout", 30*time.Second, "time a client has to send its whole request")
	f.DurationVar(&sc.WriteTimeout, "write-timeout", 0, "bound on a whole exchange (0: --request-timeout + 30 s; a ready answer always gets 30 s to be written)")
	f.DurationVar(&sc.IdleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection is kept")
	f.IntVar(&sc.MaxHeaderBytes, "max-header-bytes", 64<<10, "bound on a request's headers")
	f.IntVar(&cfg.MaxInFlight, "max-in-flight", 2000, "chain tasks the router waits on at once; past it requests get 503 \"overloaded\" with Retry-After, uncharged (0: no bound)")
	f.DurationVar(&cfg.Timeout, "request-timeout", 2*time.Minute, "bound on one request, submission to validated result (then 504)")
	f.StringVar(&cfg.ModelsDir, "models", "", "folder of model folders: chat completions use <models>/<id>/tokenizer_config.json's chat_template (without one: a plain \"role: content\" transcript)")
	f.IntVar(&cfg.MaxEmbeddingInputs, "max-embedding-inputs", 16, "strings one /v1/embeddings request may embed (one task each)")
	f.BoolVar(&cfg.SubmitWindow, "submit-window", false, "keep a session's submits in flight within the chain's max_queued_per_session: none fails in its block for a full queue, but past it they wait a block")
	f.Uint32Var(&redundancy, "redundancy", 3, "nodes per task in the router's sessions")
	f.Uint32Var(&quorum, "quorum", 2, "agreeing results a task needs")
	f.Uint32Var(&minLevel, "min-level", 0, "minimum node level")
	f.Uint32Var(&maxTokens, "max-tokens", 256, "the sessions' max tokens; requests above it are refused")
	f.StringVar(&price, "price", "1000", "price per result in ucor")
	f.StringVar(&deposit, "deposit", "10000000", "ucor deposited when a session opens and at each top-up")
	return cmd
}
