//go:build !e2efault

package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// faultFlags are the e2e build's fault-injection flags (faults_e2e.go).
var faultFlags = []struct{ cmd, flag string }{
	{"miner", "faulty"}, {"miner", "faulty-embedding"}, {"score", "test-claim-loss-delta"},
}

// TestProductionBuildHasNoFaultFlags: the default build's commands do not know the
// fault-injection flags: parsing one fails before the command runs, and no command of
// the tree has a flag that looks like one.
func TestProductionBuildHasNoFaultFlags(t *testing.T) {
	for _, ff := range faultFlags {
		root := newRootCmd()
		root.SetArgs([]string{ff.cmd, "--" + ff.flag})
		root.SetOut(new(strings.Builder))
		root.SetErr(new(strings.Builder))
		err := root.Execute()
		if err == nil || !strings.Contains(err.Error(), "unknown flag: --"+ff.flag) {
			t.Errorf("%s --%s: got %v, want unknown flag", ff.cmd, ff.flag, err)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if strings.HasPrefix(f.Name, "faulty") || strings.HasPrefix(f.Name, "test-claim") || strings.Contains(f.Usage, "TEST ONLY") {
				t.Errorf("%s has test-only flag --%s", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}
