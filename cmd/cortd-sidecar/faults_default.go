//go:build !e2efault

package main

import (
	"github.com/spf13/pflag"

	"github.com/cortnet/cortd/sidecar/miner"
)

// The production build has no fault injection: these register nothing, so the miner's
// fault switches stay off and score claims the losses it computed. The end-to-end
// scripts build with -tags e2efault to get the flags (faults_e2e.go).

func registerMinerFaults(*pflag.FlagSet, *miner.Config) {}

func warnMinerFaults(miner.Config) {}

// registerScoreFaults returns the claimed-loss tamper to apply before submitting, or
// an error for a bad flag value; here, always none.
func registerScoreFaults(*pflag.FlagSet) func() (lossTamper, error) {
	return func() (lossTamper, error) { return nil, nil }
}
