package types

import (
	"fmt"
	"slices"
	"time"

	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
)

// Genesis presets of the reward period (`cortd genesis rewards-preset NAME`). Reward
// amounts are always per node per month; the preset picks the period they are paid in.
const (
	// PresetLocal: one-minute periods (the x/epochs "minute" epoch), so a local network
	// shows periods settle; each pays 1/43,200 of the month. The default genesis.
	PresetLocal = "local"
	// PresetTestnet and PresetMainnet: one period a month (a 30-day "month" epoch, added
	// to x/epochs), paying the month rate.
	PresetTestnet = "testnet"
	PresetMainnet = "mainnet"

	// MonthEpochIdentifier names the 30-day epoch the real-network presets add.
	MonthEpochIdentifier = "month"
	// MonthEpochDuration is MonthSeconds as a duration.
	MonthEpochDuration = time.Duration(MonthSeconds) * time.Second
)

// RewardsPresets lists the preset names in the order help texts show them.
var RewardsPresets = []string{PresetLocal, PresetTestnet, PresetMainnet}

// ApplyRewardsPreset sets the reward epoch of the x/nodes genesis for a preset and makes
// sure x/epochs has that epoch with the preset's duration (adding it, or correcting the
// duration of an epoch of that name that has not started counting). The amounts are left
// as they are: they are monthly whatever the period. Testnet and mainnet differ only in
// name here, so a testnet rehearses exactly what mainnet pays.
func ApplyRewardsPreset(name string, nodes *GenesisState, epochs *epochstypes.GenesisState) error {
	var id string
	var d time.Duration
	switch name {
	case PresetLocal:
		id, d = "minute", time.Minute
	case PresetTestnet, PresetMainnet:
		id, d = MonthEpochIdentifier, MonthEpochDuration
	default:
		return fmt.Errorf("unknown rewards preset %q: use one of %v", name, RewardsPresets)
	}
	i := slices.IndexFunc(epochs.Epochs, func(e epochstypes.EpochInfo) bool { return e.Identifier == id })
	switch {
	case i < 0:
		epochs.Epochs = append(epochs.Epochs, epochstypes.NewGenesisEpochInfo(id, d))
		slices.SortFunc(epochs.Epochs, func(a, b epochstypes.EpochInfo) int {
			if a.Identifier < b.Identifier {
				return -1
			} else if a.Identifier > b.Identifier {
				return 1
			}
			return 0
		})
	case epochs.Epochs[i].EpochCountingStarted:
		if epochs.Epochs[i].Duration != d {
			return fmt.Errorf("epoch %q already counts with duration %s, preset %q needs %s", id, epochs.Epochs[i].Duration, name, d)
		}
	default:
		epochs.Epochs[i].Duration = d
	}
	nodes.Params.RewardEpochIdentifier = id
	return nil
}
