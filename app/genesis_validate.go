package app

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/types/module"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
)

// GenesisCommands is the SDK's `genesis` command group whose `validate` also checks the
// rules that span modules (ValidateMintShares), which the SDK's per-module validation
// cannot see. InitChainer applies the same checks, so a genesis that `validate` accepts
// is one the chain starts from.
func GenesisCommands(txConfig client.TxConfig, basics module.BasicManager, home string) *cobra.Command {
	cmd := genutilcli.Commands(txConfig, basics, home)
	for _, sub := range cmd.Commands() {
		if sub.Name() != "validate" {
			continue
		}
		sdkValidate := sub.RunE
		sub.RunE = func(cmd *cobra.Command, args []string) error {
			path := server.GetServerContextFromCmd(cmd).Config.GenesisFile()
			if len(args) > 0 {
				path = args[0]
			}
			cdc := client.GetClientContextFromCmd(cmd).Codec
			// The cross-module checks run on a genesis every module accepts; anything else
			// is left to the SDK's command, which reports it with its own messages.
			if state, err := readAppState(path); err == nil && basics.ValidateGenesis(cdc, txConfig, state) == nil {
				if err := ValidateMintShares(cdc, state); err != nil {
					return fmt.Errorf("error validating genesis file %s: %w", path, err)
				}
			}
			return sdkValidate(cmd, args)
		}
	}
	return cmd
}

// readAppState reads the app_state of a genesis file.
func readAppState(path string) (map[string]json.RawMessage, error) {
	g, err := genutiltypes.AppGenesisFromFile(path)
	if err != nil {
		return nil, err
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(g.AppState, &state); err != nil {
		return nil, err
	}
	return state, nil
}
