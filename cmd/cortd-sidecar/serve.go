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

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/kernelinfo"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/openai"
	"github.com/cortnet/cortd/sidecar/engine/server"
)

func newServeCmd() *cobra.Command {
	var addr, eng, dir, backendURL, apiKey string
	var budgetMB int64
	var timeout time.Duration
	var batch native.BatchConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve an engine over the OpenAI-compatible API (plus /v1/loss)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var e engine.Engine
			switch eng {
			case "native":
				if dir == "" {
					return errors.New("--models is required with --engine native")
				}
				if batch.MaxTokens < 0 || batch.MaxQueue < 0 {
					return errors.New("--batch-tokens and --batch-queue must be non-negative")
				}
				mg := native.NewManager(dir, budgetMB<<20, slog.Default())
				mg.Batch = batch
				e = &native.Engine{M: mg}
			case "openai":
				if backendURL == "" {
					return errors.New("--backend-url is required with --engine openai")
				}
				e = openai.New(backendURL, apiKey, timeout)
			default:
				return fmt.Errorf("--engine %q: want native or openai", eng)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: (&server.Server{E: e}).Handler(), ReadHeaderTimeout: 10 * time.Second}
			slog.Info("serving", "addr", ln.Addr().String(), "engine", eng, "models", dir, "kernels", kernelinfo.Path())
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
	f.StringVar(&addr, "addr", "127.0.0.1:8088", "listen address")
	f.StringVar(&eng, "engine", "native", "backend: native or openai")
	f.StringVar(&dir, "models", "", "folder of model folders (native)")
	f.Int64Var(&budgetMB, "memory-mb", 0, "memory budget for loaded models in MiB (0: unlimited); least recently used are evicted")
	f.StringVar(&backendURL, "backend-url", "", "OpenAI-compatible server URL (openai)")
	f.StringVar(&apiKey, "api-key", "", "bearer token for the backend (openai)")
	f.DurationVar(&timeout, "timeout", 5*time.Minute, "per-request timeout (openai)")
	f.DurationVar(&batch.Window, "batch-window", native.DefaultBatchWindow, "how long a waiting embeddings/loss request waits for others to share its batch (native; negative: no batching)")
	f.IntVar(&batch.MaxTokens, "batch-tokens", native.DefaultBatchTokens, "most tokens in one batched forward pass (native)")
	f.IntVar(&batch.MaxQueue, "batch-queue", native.DefaultBatchQueue, "most texts waiting for a batch per model; beyond it requests get 503 (native)")
	return cmd
}
