package main

import (
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/engine/kernelinfo"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/server"
)

func newServeCmd() *cobra.Command {
	var addr string
	var ef engineFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve an engine over the OpenAI-compatible API (plus /v1/loss, /healthz and /metrics)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := ef.engine()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			slog.Info("serving", "addr", ln.Addr().String(), "engine", ef.kind, "models", ef.dir, "kernels", kernelinfo.Path())
			return serveHTTP(cmd.Context(), ln, newHTTPServer((&server.Server{E: e}).Handler()), "engine server")
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8088", "listen address")
	ef.registerBackend(f)
	f.Int64Var(&ef.budgetMB, "memory-mb", 0, "memory budget for loaded models in MiB (0: unlimited); least recently used are evicted")
	f.DurationVar(&ef.timeout, "timeout", 5*time.Minute, "per-request timeout (openai)")
	f.DurationVar(&ef.batch.Window, "batch-window", native.DefaultBatchWindow, "how long a waiting embeddings/loss request waits for others to share its batch (native; negative: no batching)")
	f.IntVar(&ef.batch.MaxTokens, "batch-tokens", native.DefaultBatchTokens, "most tokens in one batched forward pass (native)")
	f.IntVar(&ef.batch.MaxQueue, "batch-queue", native.DefaultBatchQueue, "most texts waiting for a batch per model; beyond it requests get 503 (native)")
	return cmd
}
