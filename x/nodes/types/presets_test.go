package types_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

func TestRewardsPresets(t *testing.T) {
	for _, name := range []string{types.PresetTestnet, types.PresetMainnet} {
		nodes, epochs := types.DefaultGenesis(), epochstypes.DefaultGenesis()
		require.NoError(t, types.ApplyRewardsPreset(name, nodes, epochs))
		require.Equal(t, "month", nodes.Params.RewardEpochIdentifier)
		require.Len(t, epochs.Epochs, 5, "day, hour, minute, month, week")
		require.Equal(t, "month", epochs.Epochs[3].Identifier)
		require.Equal(t, 30*24*time.Hour, epochs.Epochs[3].Duration)
		require.Equal(t, types.MonthSeconds, types.PeriodSeconds(epochs.Epochs[3].Duration), "a period pays the month rate")
		require.NoError(t, nodes.Validate())
		require.NoError(t, epochs.Validate())
		// applying twice changes nothing
		require.NoError(t, types.ApplyRewardsPreset(name, nodes, epochs))
		require.Len(t, epochs.Epochs, 5)
	}

	nodes, epochs := types.DefaultGenesis(), epochstypes.DefaultGenesis()
	nodes.Params.RewardEpochIdentifier = "day"
	require.NoError(t, types.ApplyRewardsPreset(types.PresetLocal, nodes, epochs))
	require.Equal(t, "minute", nodes.Params.RewardEpochIdentifier)
	require.Len(t, epochs.Epochs, 4)
	require.Equal(t, types.DefaultParams().RewardEpochIdentifier, nodes.Params.RewardEpochIdentifier, "the default genesis is the local preset")

	// a "month" epoch of another length that has not started is corrected
	epochs = epochstypes.NewGenesisState([]epochstypes.EpochInfo{epochstypes.NewGenesisEpochInfo("month", time.Hour)})
	require.NoError(t, types.ApplyRewardsPreset(types.PresetMainnet, nodes, epochs))
	require.Equal(t, types.MonthEpochDuration, epochs.Epochs[0].Duration)
	// one that already counts is not
	epochs.Epochs[0].Duration, epochs.Epochs[0].EpochCountingStarted = time.Hour, true
	require.ErrorContains(t, types.ApplyRewardsPreset(types.PresetMainnet, nodes, epochs), "already counts")

	require.ErrorContains(t, types.ApplyRewardsPreset("devnet", nodes, epochs), "unknown rewards preset")
}
