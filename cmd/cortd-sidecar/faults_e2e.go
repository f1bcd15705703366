//go:build e2efault

package main

import (
	"errors"
	"log/slog"

	sdkmath "cosmossdk.io/math"
	"github.com/spf13/pflag"

	"github.com/cortnet/cortd/sidecar/miner"
)

// Fault injection for the end-to-end scripts (go build -tags e2efault): a miner that
// commits wrong results and a submitter that claims wrong losses, which validation and
// audits must catch. None of this is in the production binary (faults_default.go).

func registerMinerFaults(f *pflag.FlagSet, cfg *miner.Config) {
	f.BoolVar(&cfg.Faulty, "faulty", false, "TEST ONLY: commit garbage results (validation must reject them)")
	f.BoolVar(&cfg.FaultyEmbedding, "faulty-embedding", false, "TEST ONLY: commit the honest text with a wrong embedding for it "+
		"(cosine 0.90 to the honest one: validation accepts it, an audit re-embedding the text must catch it)")
}

func warnMinerFaults(cfg miner.Config) {
	if cfg.Faulty || cfg.FaultyEmbedding {
		slog.Warn("TEST BUILD: this miner commits wrong results on purpose", "faulty", cfg.Faulty, "faulty_embedding", cfg.FaultyEmbedding)
	}
}

func registerScoreFaults(f *pflag.FlagSet) func() (lossTamper, error) {
	var delta string
	f.StringVar(&delta, "test-claim-loss-delta", "", "TEST ONLY: add this to every claimed loss (a fraudulent submission auditors must catch)")
	return func() (lossTamper, error) {
		if delta == "" {
			return nil, nil
		}
		d, err := sdkmath.LegacyNewDecFromStr(delta)
		if err != nil || d.IsNegative() {
			return nil, errors.New("--test-claim-loss-delta: want a decimal ≥ 0")
		}
		slog.Warn("TEST BUILD: claiming losses off by a delta on purpose", "delta", d)
		return func(l sdkmath.LegacyDec) sdkmath.LegacyDec { return l.Add(d) }, nil
	}
}
