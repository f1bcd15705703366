package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/openai"
	"github.com/cortnet/cortd/sidecar/miner"
)

func newMinerCmd() *cobra.Command {
	var cf chainFlags
	var cfg miner.Config
	var ca challengeAgentFlags
	var eng, dir, backendURL, apiKey, listen, stateDir string
	var budgetMB int64
	var gpuModel string
	var gpuCount uint32
	var vramMiB uint64
	cmd := &cobra.Command{
		Use:   "miner",
		Short: "Run a node: register it, heartbeat, take assigned tasks, precommit and commit results",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cf.key == "" {
				return errors.New("--key is required")
			}
			if cfg.NodeID == "" {
				return errors.New("--node-id is required")
			}
			var e engine.Engine
			switch eng {
			case "native":
				if dir == "" {
					return errors.New("--models is required with --engine native")
				}
				e = &native.Engine{M: native.NewManager(dir, budgetMB<<20, slog.Default())}
			case "openai":
				if backendURL == "" {
					return errors.New("--backend-url is required with --engine openai")
				}
				e = openai.New(backendURL, apiKey, cfg.EngineTimeout)
			default:
				return fmt.Errorf("--engine %q: want native or openai", eng)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()

			cfg.Spec = miner.DetectSpec(ctx)
			if eng == "native" {
				// The CPU engine keeps weights in RAM: the host's GPUs hold none of them, and
				// a GPU spec would bound assignment by VRAM (x/sessions README, Assignment).
				cfg.Spec.GpuModel, cfg.Spec.GpuCount, cfg.Spec.VramMib = "", 0, 0
			}
			if gpuModel != "" {
				cfg.Spec.GpuModel, cfg.Spec.GpuCount, cfg.Spec.VramMib = gpuModel, gpuCount, vramMiB
			}
			if budgetMB > 0 {
				cfg.MemoryIndexMiB = uint64(budgetMB)
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			if cfg.Endpoint == "" {
				cfg.Endpoint = "http://" + ln.Addr().String()
			}
			if stateDir == "" {
				stateDir = filepath.Join(cf.home, "miner-"+cfg.NodeID)
			}
			cfg.StateDir = stateDir

			c, s, err := cf.connect(ctx)
			if err != nil {
				ln.Close()
				return err
			}
			defer c.Close()
			e = verifiedModels(e, eng, dir, c, ca.allowLocal)
			m, err := miner.New(cfg, c, s, e, slog.Default())
			if err != nil {
				ln.Close()
				return err
			}
			if err := ca.start(ctx, cfg.NodeID, stateDir, !cfg.SkipRegister, cfg.Models, c, s, e); err != nil {
				ln.Close()
				return err
			}
			srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					slog.Error("availability server stopped", "err", err)
				}
			}()
			slog.Info("miner starting", "node", cfg.NodeID, "key", s.Name(), "address", s.Address(), "engine", eng,
				"endpoint", cfg.Endpoint, "state", stateDir, "faulty", cfg.Faulty, "faulty_embedding", cfg.FaultyEmbedding, "spec", cfg.Spec.String())
			err = m.Run(ctx)
			shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shut)
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		},
	}
	f := cmd.Flags()
	cf.register(f)
	ca.register(f)
	f.StringVar(&cfg.NodeID, "node-id", "", "node id on chain")
	f.Uint32Var(&cfg.PoolID, "pool", 3, "staking pool of a new registration")
	f.StringVar(&cfg.Stake, "stake", "", "stake of a new registration, e.g. 6000000000ucor (empty: the pool's minimum)")
	f.StringVar(&cfg.Endpoint, "endpoint", "", "public URL of this miner's availability endpoint (empty: http://<listen>)")
	f.StringSliceVar(&cfg.Models, "serve", nil, "model ids to serve (empty: every engine model registered on chain)")
	f.BoolVar(&cfg.SkipRegister, "no-register", false, "do not register or update the node (the key is the node key, not the operator)")
	f.DurationVar(&cfg.PollInterval, "poll", 5*time.Second, "assignment poll interval (backstop for events)")
	f.IntVar(&cfg.Concurrency, "concurrency", 2, "tasks computed at once")
	f.DurationVar(&cfg.EngineTimeout, "engine-timeout", 2*time.Minute, "bound on one completion + embedding")
	f.BoolVar(&cfg.Faulty, "faulty", false, "TEST ONLY: commit garbage results (validation must reject them)")
	f.BoolVar(&cfg.FaultyEmbedding, "faulty-embedding", false, "TEST ONLY: commit the honest text with a wrong embedding for it "+
		"(cosine 0.90 to the honest one: validation accepts it, an audit re-embedding the text must catch it)")
	f.StringVar(&eng, "engine", "native", "backend: native or openai")
	f.StringVar(&dir, "models", "", "folder of model folders (native)")
	f.Int64Var(&budgetMB, "memory-mb", 0, "memory budget for models in MiB: the node's memory index (0: RAM + VRAM)")
	f.StringVar(&backendURL, "backend-url", "", "OpenAI-compatible server URL (openai)")
	f.StringVar(&apiKey, "api-key", "", "bearer token for the backend (openai)")
	f.StringVar(&listen, "listen", "127.0.0.1:8090", "address of /healthz, /metrics and /availability")
	f.StringVar(&stateDir, "state-dir", "", "where results wait between precommit and commit (default <home>/miner-<node-id>)")
	f.StringVar(&gpuModel, "gpu-model", "", "override the detected GPU model")
	f.Uint32Var(&gpuCount, "gpu-count", 0, "override the detected GPU count (with --gpu-model)")
	f.Uint64Var(&vramMiB, "vram-mib", 0, "override the detected VRAM in MiB (with --gpu-model)")
	return cmd
}
