package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Profiles show memory contents: --pprof serves on loopback only and says why otherwise.
func TestPprofLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "10.1.2.3:6060", "example.com:6060", "6060"} {
		require.Error(t, servePprof(addr), addr)
	}
	require.NoError(t, servePprof(""))
	require.NoError(t, servePprof("127.0.0.1:0"))
}
