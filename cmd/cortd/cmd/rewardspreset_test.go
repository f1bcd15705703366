package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/cortnet/cortd/cmd/cortd/cmd"
)

// TestRewardsPreset: `cortd init` writes the local preset (one-minute periods);
// `genesis rewards-preset mainnet` switches x/nodes to a 30-day "month" epoch it adds to
// x/epochs, and `local` switches back; an unknown preset is refused.
func TestRewardsPreset(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "n0", "--chain-id", "cort-test-1", "--home", home)
	read := func() (rewardEpoch string, epochs map[string]string) {
		bz, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
		require.NoError(t, err)
		var g struct {
			AppState struct {
				Nodes struct {
					Params struct {
						RewardEpochIdentifier string `json:"reward_epoch_identifier"`
					} `json:"params"`
				} `json:"nodes"`
				Epochs struct {
					Epochs []struct {
						Identifier string `json:"identifier"`
						Duration   string `json:"duration"`
					} `json:"epochs"`
				} `json:"epochs"`
			} `json:"app_state"`
		}
		require.NoError(t, json.Unmarshal(bz, &g))
		epochs = map[string]string{}
		for _, e := range g.AppState.Epochs.Epochs {
			epochs[e.Identifier] = e.Duration
		}
		return g.AppState.Nodes.Params.RewardEpochIdentifier, epochs
	}
	id, epochs := read()
	require.Equal(t, "minute", id)
	require.NotContains(t, epochs, "month")

	run(t, "genesis", "rewards-preset", "mainnet", "--home", home)
	id, epochs = read()
	require.Equal(t, "month", id)
	require.Equal(t, "2592000s", epochs["month"])
	require.Equal(t, "60s", epochs["minute"], "other epochs kept")

	run(t, "genesis", "rewards-preset", "local", "--home", home)
	id, _ = read()
	require.Equal(t, "minute", id)

	root := cmd.NewRootCmd()
	root.SetArgs([]string{"genesis", "rewards-preset", "devnet", "--home", home})
	require.ErrorContains(t, svrcmd.Execute(root, "CORTD", t.TempDir()), "unknown rewards preset")
}
