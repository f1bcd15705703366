package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/router"
)

func newRouterCmd() *cobra.Command {
	var cf chainFlags
	var cfg router.Config
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
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			c, s, err := cf.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			rt, err := router.New(cfg, c, s, slog.Default())
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: rt.Handler(), ReadHeaderTimeout: 10 * time.Second}
			slog.Info("router serving", "addr", ln.Addr().String(), "key", s.Name(), "address", s.Address(),
				"redundancy", redundancy, "quorum", quorum, "keys", len(cfg.Keys))
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return srv.Shutdown(shut)
		},
	}
	f := cmd.Flags()
	cf.register(f)
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	f.StringVar(&keysFile, "api-keys", "", "file of API keys (bearer tokens), one per line")
	f.IntVar(&cfg.RatePerMinute, "rate", 60, "requests per minute per API key (0: no limit)")
	f.IntVar(&cfg.Burst, "burst", 20, "requests an API key may send at once")
	f.DurationVar(&cfg.Timeout, "request-timeout", 2*time.Minute, "bound on one request, submission to validated result (then 504)")
	f.IntVar(&cfg.MaxEmbeddingInputs, "max-embedding-inputs", 16, "strings one /v1/embeddings request may embed (one task each)")
	f.Uint32Var(&redundancy, "redundancy", 3, "nodes per task in the router's sessions")
	f.Uint32Var(&quorum, "quorum", 2, "agreeing results a task needs")
	f.Uint32Var(&minLevel, "min-level", 0, "minimum node level")
	f.Uint32Var(&maxTokens, "max-tokens", 256, "the sessions' max tokens; requests above it are refused")
	f.StringVar(&price, "price", "1000", "price per result in ucor")
	f.StringVar(&deposit, "deposit", "10000000", "ucor deposited when a session opens and at each top-up")
	return cmd
}
