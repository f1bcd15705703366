// Package cmd builds the cortd command tree: node commands from the SDK's server package,
// genesis tooling, keys, module queries and txs from autocli, and `testnet init-files`.
package cmd

import (
	"os"

	cmtcfg "github.com/cometbft/cometbft/config"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/server"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/cortnet/cortd/app"
	appparams "github.com/cortnet/cortd/app/params"
)

// NewRootCmd returns the `cortd` root command.
func NewRootCmd() *cobra.Command {
	// A throwaway app supplies the codecs and the autocli descriptors of every module.
	tempDir, err := os.MkdirTemp("", "cortd-init")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tempDir)
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, simtestutil.NewAppOptionsWithFlagHome(tempDir))

	initClientCtx := client.Context{}.
		WithCodec(tempApp.AppCodec()).
		WithInterfaceRegistry(tempApp.InterfaceRegistry()).
		WithTxConfig(tempApp.TxConfig()).
		WithLegacyAmino(tempApp.LegacyAmino()).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper("CORTD")

	rootCmd := &cobra.Command{
		Use:           appparams.AppName,
		Short:         "cortd: the node of a decentralized AI network (sessions, nodes, data, audits, challenges)",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// Flags and arguments parsed: an error from here on is not a usage mistake, so
			// it is printed without the usage text burying it.
			cmd.SilenceUsage = true
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())
			clientCtx, err := client.ReadPersistentCommandFlags(initClientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			clientCtx, err = config.ReadFromClientConfig(clientCtx)
			if err != nil {
				return err
			}
			if err := client.SetCmdClientContextHandler(clientCtx, cmd); err != nil {
				return err
			}
			appTemplate, appConfig := initAppConfig()
			return server.InterceptConfigsPreRunHandler(cmd, appTemplate, appConfig, initCometConfig())
		},
	}

	initRootCmd(rootCmd, tempApp)

	autoCliOpts := tempApp.AutoCliOpts()
	autoCliOpts.ClientCtx = initClientCtx
	if err := enhanceWithAutoCLI(rootCmd, autoCliOpts); err != nil {
		panic(err)
	}
	// Once every tx command exists: defaults, then the outcome of each broadcast.
	if txCmd, _, err := rootCmd.Find([]string{"tx"}); err == nil && txCmd != rootCmd {
		addSubmitDefaults(txCmd)
		reportTxOutcomes(txCmd)
	}
	return rootCmd
}

// DefaultIndexEvents are the event attributes a new node indexes for tx and block
// search (app.toml index-events). The SDK's default, empty, indexes every attribute of
// every event: at a few hundred tasks per block that is ~60,000 index entries per block
// (every precommit, commit and task end, each attribute), a sixth of the node's CPU in
// goleveldb compaction, for searches nothing makes. Kept: the sender of each message
// (`cortd q txs --query "message.sender='cor1...'"`, an account's history), transfer
// recipients (incoming payments) and account sequences (`cortd q tx --type=acc_seq`);
// tx.hash, tx.height and block heights are always indexed. An explorer's node sets its
// own list (or [] for everything).
var DefaultIndexEvents = []string{"message.sender", "transfer.recipient", "tx.acc_seq"}

// initAppConfig is the app.toml written by `cortd init`: REST and gRPC on, zero minimum
// gas price in ucor (operators raise it on public networks), state sync snapshots on
// (snapshots.go says why at this interval), the index-events above.
func initAppConfig() (string, any) {
	cfg := serverconfig.DefaultConfig()
	cfg.IndexEvents = DefaultIndexEvents
	cfg.MinGasPrices = "0" + appparams.BondDenom
	cfg.API.Enable = true
	cfg.GRPC.Enable = true
	cfg.StateSync.SnapshotInterval = DefaultSnapshotInterval
	cfg.StateSync.SnapshotKeepRecent = DefaultSnapshotKeepRecent
	return serverconfig.DefaultConfigTemplate, cfg
}

// initCometConfig is the config.toml written by `cortd init`.
func initCometConfig() *cmtcfg.Config {
	return cmtcfg.DefaultConfig()
}
