package cmd

import (
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"
)

// restoreGC puts the collector settings back after a test changed them.
func restoreGC(t *testing.T) {
	pct := debug.SetGCPercent(100)
	debug.SetGCPercent(pct)
	lim := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(lim)
	})
}

func gcPercent() int {
	pct := debug.SetGCPercent(100)
	debug.SetGCPercent(pct)
	return pct
}

// TestMemoryDefaults: with neither GOGC nor GOMEMLIMIT set, a node runs at GOGC 400 under
// a soft limit of half the memory it is given.
func TestMemoryDefaults(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("AUTOMEMLIMIT", "") // restored after the test
	require.NoError(t, os.Unsetenv("AUTOMEMLIMIT"))
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	applyMemoryDefaults(log.NewNopLogger(), memlimit.Limit(8<<30))
	require.Equal(t, nodeGCPercent, gcPercent())
	require.Equal(t, int64(4<<30), debug.SetMemoryLimit(-1))
}

// TestMemoryDefaultsKeepTheOperatorsChoice: GOGC and GOMEMLIMIT set by the operator are
// left alone (the runtime already read them).
func TestMemoryDefaultsKeepTheOperatorsChoice(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "3GiB")
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(3 << 30)
	applyMemoryDefaults(log.NewNopLogger(), memlimit.Limit(8<<30))
	require.Equal(t, 150, gcPercent())
	require.Equal(t, int64(3<<30), debug.SetMemoryLimit(-1))
}
