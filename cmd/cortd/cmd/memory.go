package cmd

import (
	"os"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"cosmossdk.io/log/v2"
)

// nodeGCPercent is the collector's target for `cortd start` when GOGC is not set: the
// heap may grow to 5× what is live between collections (Go's default is 2×). Under
// load a node allocates fast and keeps hundreds of MB live (IAVL's node cache, the
// mempool, recent blocks), so at Go's default the collector's marking was a quarter of
// the node's CPU; at 400 the network answered 15 % more requests per second
// (docs/performance.md). The memory limit below keeps the larger target safe.
const nodeGCPercent = 400

// nodeMemoryRatio is the share of the machine's memory (or of the container's limit)
// that `cortd start` gives the Go runtime as a soft limit when GOMEMLIMIT is not set:
// near it the collector works harder instead of letting the heap grow.
const nodeMemoryRatio = 0.5

// applyMemoryDefaults sets the collector's target and the soft memory limit of a node
// unless the operator chose them (GOGC, GOMEMLIMIT, or AUTOMEMLIMIT=off). The limit
// is read from the cgroup (a container's limit), else from the machine's memory;
// provider overrides that source in tests.
func applyMemoryDefaults(logger log.Logger, provider memlimit.Provider) {
	gogc := os.Getenv("GOGC")
	if gogc == "" {
		debug.SetGCPercent(nodeGCPercent)
		gogc = "400 (cortd's default for a node)"
	}
	if provider == nil {
		provider = memlimit.ApplyFallback(memlimit.FromCgroup, memlimit.FromSystem)
	}
	limit, err := memlimit.Set(memlimit.WithRatio(nodeMemoryRatio), memlimit.WithProvider(provider))
	if err != nil {
		logger.Error("could not set the Go memory limit; running without one", "err", err)
	}
	logger.Info("Go memory settings", "GOGC", gogc, "GOMEMLIMIT_MiB", limit>>20)
}
