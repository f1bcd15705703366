package main

import (
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/miner"
)

func newMinerCmd() *cobra.Command {
	var cf chainFlags
	var cfg miner.Config
	var ca challengeAgentFlags
	var ef engineFlags
	var listen, stateDir string
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
			ef.timeout = cfg.EngineTimeout
			e, err := ef.engine()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			cfg.Spec = miner.DetectSpec(ctx)
			if ef.kind == "native" {
				// The CPU engine keeps weights in RAM: the host's GPUs hold none of them, and
				// a GPU spec would bound assignment by VRAM (x/sessions README, Assignment).
				cfg.Spec.GpuModel, cfg.Spec.GpuCount, cfg.Spec.VramMib = "", 0, 0
			}
			if gpuModel != "" {
				cfg.Spec.GpuModel, cfg.Spec.GpuCount, cfg.Spec.VramMib = gpuModel, gpuCount, vramMiB
			}
			if ef.budgetMB > 0 {
				cfg.MemoryIndexMiB = uint64(ef.budgetMB)
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
			e = verifiedModels(e, ef.kind, ef.dir, c, ca.allowLocal)
			m, err := miner.New(cfg, c, s, e, slog.Default())
			if err != nil {
				ln.Close()
				return err
			}
			if err := ca.start(ctx, cfg.NodeID, stateDir, !cfg.SkipRegister, cfg.Models, c, s, e); err != nil {
				ln.Close()
				return err
			}
			hs := startHTTP(ln, newHTTPServer(m.Handler()), "availability server")
			slog.Info("miner starting", "node", cfg.NodeID, "key", s.Name(), "address", s.Address(), "engine", ef.kind,
				"endpoint", cfg.Endpoint, "state", stateDir, "spec", cfg.Spec.String())
			warnMinerFaults(cfg)
			err = m.Run(ctx)
			return roleResult(err, hs.shutdown())
		},
	}
	f := cmd.Flags()
	cf.register(f)
	ca.register(f)
	ef.registerBackend(f)
	f.StringVar(&cfg.NodeID, "node-id", "", "node id on chain")
	f.Uint32Var(&cfg.PoolID, "pool", 3, "staking pool of a new registration")
	f.StringVar(&cfg.Stake, "stake", "", "stake of a new registration, e.g. 6000000000ucor (empty: the pool's minimum)")
	f.StringVar(&cfg.Endpoint, "endpoint", "", "public URL of this miner's availability endpoint (empty: http://<listen>)")
	f.StringSliceVar(&cfg.Models, "serve", nil, "model ids to serve (empty: every engine model registered on chain)")
	f.BoolVar(&cfg.SkipRegister, "no-register", false, "do not register or update the node (the key is the node key, not the operator)")
	f.DurationVar(&cfg.PollInterval, "poll", 5*time.Second, "assignment poll interval (backstop for events)")
	f.IntVar(&cfg.Concurrency, "concurrency", 2, "tasks computed at once")
	f.DurationVar(&cfg.EngineTimeout, "engine-timeout", 2*time.Minute, "bound on one completion + embedding")
	f.BoolVar(&cfg.Speculate, "speculate", true, "compute the tasks of submissions the node's mempool admitted before the chain assigns them (backs off when most go unused)")
	registerMinerFaults(f, &cfg)
	f.Int64Var(&ef.budgetMB, "memory-mb", 0, "memory budget for models in MiB: the node's memory index (0: RAM + VRAM)")
	f.StringVar(&listen, "listen", "127.0.0.1:8090", "address of /healthz, /metrics and /availability")
	f.StringVar(&stateDir, "state-dir", "", "where results wait between precommit and commit (default <home>/miner-<node-id>)")
	f.StringVar(&gpuModel, "gpu-model", "", "override the detected GPU model")
	f.Uint32Var(&gpuCount, "gpu-count", 0, "override the detected GPU count (with --gpu-model)")
	f.Uint64Var(&vramMiB, "vram-mib", 0, "override the detected VRAM in MiB (with --gpu-model)")
	return cmd
}
