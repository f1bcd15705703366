//go:build e2efault

package main

import (
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/spf13/pflag"

	"github.com/cortnet/cortd/sidecar/miner"
)

// TestE2EBuildHasFaultFlags: the e2e build (-tags e2efault) has the flags the scripts
// pass (scripts/e2e/sessions.sh, data.sh), and they set what they say.
func TestE2EBuildHasFaultFlags(t *testing.T) {
	root := newRootCmd()
	for _, ff := range []struct{ cmd, flag string }{
		{"miner", "faulty"}, {"miner", "faulty-embedding"}, {"score", "test-claim-loss-delta"},
	} {
		c, _, err := root.Find([]string{ff.cmd})
		if err != nil || c.Flags().Lookup(ff.flag) == nil {
			t.Errorf("%s has no --%s in the e2e build", ff.cmd, ff.flag)
		}
	}

	var cfg miner.Config
	fs := pflag.NewFlagSet("miner", pflag.ContinueOnError)
	registerMinerFaults(fs, &cfg)
	if err := fs.Parse([]string{"--faulty", "--faulty-embedding"}); err != nil || !cfg.Faulty || !cfg.FaultyEmbedding {
		t.Fatalf("miner faults not set: %v %+v", err, cfg)
	}

	fs = pflag.NewFlagSet("score", pflag.ContinueOnError)
	prepare := registerScoreFaults(fs)
	if tamper, err := prepare(); err != nil || tamper != nil {
		t.Fatalf("no flag: got tamper %v, err %v; want none", tamper != nil, err)
	}
	if err := fs.Parse([]string{"--test-claim-loss-delta", "0.5"}); err != nil {
		t.Fatal(err)
	}
	tamper, err := prepare()
	if err != nil || tamper == nil {
		t.Fatalf("delta 0.5: %v", err)
	}
	if got := tamper(sdkmath.LegacyOneDec()); !got.Equal(sdkmath.LegacyMustNewDecFromStr("1.5")) {
		t.Fatalf("tampered 1 = %s, want 1.5", got)
	}
	fs = pflag.NewFlagSet("score", pflag.ContinueOnError)
	prepare = registerScoreFaults(fs)
	_ = fs.Parse([]string{"--test-claim-loss-delta", "-1"})
	if _, err := prepare(); err == nil || !strings.Contains(err.Error(), "--test-claim-loss-delta") {
		t.Fatalf("negative delta: got %v", err)
	}
}
