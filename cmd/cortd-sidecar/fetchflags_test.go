package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every role that downloads a URL written on chain has --allow-local-network, off by
// default; the miner needs it for its challenge agent's snapshot download.
func TestAllowLocalNetworkFlag(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range newRootCmd().Commands() {
		if fl := c.Flags().Lookup("allow-local-network"); fl != nil {
			seen[c.Name()] = true
			require.Equal(t, "false", fl.DefValue, "%s --allow-local-network", c.Name())
		}
	}
	for _, role := range []string{"miner", "auditor", "evaluator"} {
		require.True(t, seen[role], "%s has --allow-local-network", role)
	}
}
