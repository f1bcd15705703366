package cmd

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/server"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// RewardsPresetCmd is `cortd genesis rewards-preset [local|testnet|mainnet]`: it sets the
// x/nodes reward period in the home's genesis.json (x/nodes reward_epoch_identifier and
// the x/epochs epoch it names). Amounts stay monthly; see x/nodes README, Period rewards.
func RewardsPresetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rewards-preset [" + strings.Join(nodestypes.RewardsPresets, "|") + "]",
		Short: "Set the node reward period in genesis.json: local = one-minute periods, testnet/mainnet = 30-day periods",
		Long: `Reward amounts are per node per month; each reward period pays its share of the month.
  local    one-minute periods (x/epochs "minute"), each paying 1/43,200 of the month (the default genesis)
  testnet  one period a month: adds a 30-day "month" epoch to x/epochs and closes periods on it
  mainnet  the same as testnet`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx := client.GetClientContextFromCmd(cmd)
			config := server.GetServerContextFromCmd(cmd).Config
			config.SetRoot(clientCtx.HomeDir)
			genFile := config.GenesisFile()
			appGenesis, err := genutiltypes.AppGenesisFromFile(genFile)
			if err != nil {
				return fmt.Errorf("reading %s: %w", genFile, err)
			}
			state, err := applyRewardsPresetToAppState(clientCtx.Codec, args[0], appGenesis.AppState)
			if err != nil {
				return err
			}
			appGenesis.AppState = state
			if err := genutil.ExportGenesisFile(appGenesis, genFile); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "rewards preset %s written to %s\n", args[0], genFile)
			return err
		},
	}
}

// applyRewardsPresetToAppState applies a preset to the x/nodes and x/epochs sections of
// an app state and validates both.
func applyRewardsPresetToAppState(cdc codec.JSONCodec, preset string, appState json.RawMessage) (json.RawMessage, error) {
	var state map[string]json.RawMessage
	if err := json.Unmarshal(appState, &state); err != nil {
		return nil, fmt.Errorf("app state: %w", err)
	}
	var nodes nodestypes.GenesisState
	if err := cdc.UnmarshalJSON(state[nodestypes.ModuleName], &nodes); err != nil {
		return nil, fmt.Errorf("%s genesis: %w", nodestypes.ModuleName, err)
	}
	var epochs epochstypes.GenesisState
	if err := cdc.UnmarshalJSON(state[epochstypes.ModuleName], &epochs); err != nil {
		return nil, fmt.Errorf("%s genesis: %w", epochstypes.ModuleName, err)
	}
	if err := nodestypes.ApplyRewardsPreset(preset, &nodes, &epochs); err != nil {
		return nil, err
	}
	if err := nodes.Validate(); err != nil {
		return nil, err
	}
	if err := epochs.Validate(); err != nil {
		return nil, err
	}
	var err error
	if state[nodestypes.ModuleName], err = cdc.MarshalJSON(&nodes); err != nil {
		return nil, err
	}
	if state[epochstypes.ModuleName], err = cdc.MarshalJSON(&epochs); err != nil {
		return nil, err
	}
	return json.MarshalIndent(state, "", "  ")
}
