package main

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/openai"
)

// engineFlags choose the inference backend of serve, miner, score and auditor. The
// backend flags are the same everywhere (registerBackend); the memory budget and the
// timeout mean slightly different things per role, so each command registers those
// itself into budgetMB and timeout (or registerBudgetAndTimeout for the common ones).
type engineFlags struct {
	kind, dir, backendURL, apiKey string
	budgetMB                      int64
	timeout                       time.Duration
	// batch: the native engine's request batching (serve sets it; zero: the defaults).
	batch native.BatchConfig
}

// registerBackend registers --engine, --models, --backend-url and --api-key.
func (f *engineFlags) registerBackend(fs *pflag.FlagSet) {
	fs.StringVar(&f.kind, "engine", "native", "backend: native or openai")
	fs.StringVar(&f.dir, "models", "", "folder of model folders (native)")
	fs.StringVar(&f.backendURL, "backend-url", "", "OpenAI-compatible server URL (openai)")
	fs.StringVar(&f.apiKey, "api-key", "", "bearer token for the backend (openai)")
}

// register is the whole set for the roles that only call the engine (score, auditor).
func (f *engineFlags) register(fs *pflag.FlagSet) {
	f.registerBackend(fs)
	fs.Int64Var(&f.budgetMB, "memory-mb", 4096, "memory budget for loaded models in MiB (native)")
	fs.DurationVar(&f.timeout, "engine-timeout", 5*time.Minute, "bound on one engine call (openai)")
}

// engine is the one constructor of the backend the flags name.
func (f *engineFlags) engine() (engine.Engine, error) {
	switch f.kind {
	case "native":
		if f.dir == "" {
			return nil, errors.New("--models is required with --engine native")
		}
		if f.budgetMB < 0 {
			return nil, errors.New("--memory-mb must be non-negative")
		}
		if f.batch.MaxTokens < 0 || f.batch.MaxQueue < 0 {
			return nil, errors.New("--batch-tokens and --batch-queue must be non-negative")
		}
		mg := native.NewManager(f.dir, f.budgetMB<<20, slog.Default())
		mg.Batch = f.batch
		return &native.Engine{M: mg}, nil
	case "openai":
		if f.backendURL == "" {
			return nil, errors.New("--backend-url is required with --engine openai")
		}
		return openai.New(f.backendURL, f.apiKey, f.timeout), nil
	default:
		return nil, fmt.Errorf("--engine %q: want native or openai", f.kind)
	}
}
