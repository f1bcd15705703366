package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtconfig "github.com/cometbft/cometbft/config"
	cmttime "github.com/cometbft/cometbft/types/time"
	"github.com/spf13/cobra"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	srvconfig "github.com/cosmos/cosmos-sdk/server/config"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/cortnet/cortd/app"
	appparams "github.com/cortnet/cortd/app/params"
)

const (
	flagNumValidators = "v"
	flagOutputDir     = "output-dir"
	flagPortStep      = "port-step"
	flagTimeoutCommit = "timeout-commit"
	flagSaveMnemonics = "save-mnemonics"
	flagBasePort      = "base-port"
	flagSnapInterval  = "snapshot-interval"
	flagSnapKeep      = "snapshot-keep-recent"
)

// Genesis amounts per validator, in ucor.
var (
	testnetAccountTokens = sdkmath.NewInt(1_000_000_000_000) // 1,000,000 COR
	testnetBondTokens    = sdkmath.NewInt(100_000_000_000)   // 100,000 COR
)

// NewTestnetCmd is `cortd testnet`, with `init-files` for N validators on one host.
func NewTestnetCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Create configuration for local multi-validator test networks",
		RunE:  client.ValidateCmd,
	}
	cmd.AddCommand(testnetInitFilesCmd(a))
	return cmd
}

type testnetArgs struct {
	numValidators  int
	outputDir      string
	chainID        string
	keyringBackend string
	portStep       int
	timeoutCommit  string
	saveMnemonics  bool
	basePort       int
	snapInterval   uint64
	snapKeepRecent uint32
}

func testnetInitFilesCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init-files",
		Short: "Write home folders for N validators that run on this host (distinct ports, shared genesis)",
		Long: `init-files writes OUTPUT/node0 ... OUTPUT/node{N-1}, each a complete cortd home:
keys (test keyring), config with ports offset by i×port-step, persistent peers on 127.0.0.1,
and one genesis in which every validator is funded and bonded. The homes are 0700 (keys,
validator keys and mnemonics are secrets); the mnemonic of each key is written (key_seed.json,
mode 0600) only with --save-mnemonics.

Ports of node i, with --base-port P (B = P + i×port-step):
  p2p B, rpc B+1, grpc B+2, api (REST and gRPC-web) B+3, proxy_app B+4,
  prometheus B+5, pprof B+6; B+7..B+9 are left for the node's sidecars.
Without --base-port: CometBFT's and the SDK's defaults plus i×port-step (p2p 26656,
rpc 26657, proxy_app 26658, prometheus 26660, api 1317, grpc 9090) and pprof off
(its default 6060 would meet a single node's). CometBFT's Prometheus metrics are on;
state sync snapshots are taken every --snapshot-interval blocks.
Start node i with: cortd start --home OUTPUT/node<i>`,
		Example: "cortd testnet init-files --v 4 --output-dir ./.testnets --chain-id cort-test-1 --base-port 29000 --port-step 10",
		RunE: func(cmd *cobra.Command, _ []string) error {
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			var args testnetArgs
			args.numValidators, _ = cmd.Flags().GetInt(flagNumValidators)
			args.outputDir, _ = cmd.Flags().GetString(flagOutputDir)
			args.chainID, _ = cmd.Flags().GetString(flags.FlagChainID)
			args.keyringBackend, _ = cmd.Flags().GetString(flags.FlagKeyringBackend)
			args.portStep, _ = cmd.Flags().GetInt(flagPortStep)
			args.timeoutCommit, _ = cmd.Flags().GetString(flagTimeoutCommit)
			args.saveMnemonics, _ = cmd.Flags().GetBool(flagSaveMnemonics)
			args.basePort, _ = cmd.Flags().GetInt(flagBasePort)
			args.snapInterval, _ = cmd.Flags().GetUint64(flagSnapInterval)
			args.snapKeepRecent, _ = cmd.Flags().GetUint32(flagSnapKeep)
			if err := args.validate(); err != nil {
				return err
			}
			return initTestnetFiles(cmd, clientCtx, a, args)
		},
	}
	cmd.Flags().Int(flagNumValidators, 4, "number of validators")
	cmd.Flags().StringP(flagOutputDir, "o", "./.testnets", "directory for the node homes")
	cmd.Flags().String(flags.FlagChainID, "cort-testnet-1", "chain id")
	cmd.Flags().String(flags.FlagKeyringBackend, keyring.BackendTest, "keyring backend of the validator keys")
	cmd.Flags().Int(flagPortStep, 100, "port offset between consecutive nodes")
	cmd.Flags().String(flagTimeoutCommit, "1s", "CometBFT timeout_commit (block time)")
	cmd.Flags().Bool(flagSaveMnemonics, false, "write each validator key's mnemonic to <home>/key_seed.json (mode 0600)")
	cmd.Flags().Int(flagBasePort, 0, "first port of node 0 (0: CometBFT's and the SDK's default ports); see the layout above")
	cmd.Flags().Uint64(flagSnapInterval, DefaultSnapshotInterval, "state sync snapshot every N blocks (0: none)")
	cmd.Flags().Uint32(flagSnapKeep, DefaultSnapshotKeepRecent, "state sync snapshots kept and served (0: all)")
	return cmd
}

func (args testnetArgs) validate() error {
	if args.numValidators < 1 {
		return fmt.Errorf("--%s must be at least 1", flagNumValidators)
	}
	if args.portStep < 10 {
		return fmt.Errorf("--%s must be at least 10 so node ports do not overlap", flagPortStep)
	}
	if args.chainID == "" {
		return fmt.Errorf("--%s is required", flags.FlagChainID)
	}
	if args.basePort != 0 && args.basePort < minBasePort {
		return fmt.Errorf("--%s %d: want 0 (default ports) or at least %d (unprivileged ports)", flagBasePort, args.basePort, minBasePort)
	}
	// Every node's ports, checked before anything is written: in range and all different
	// (a large --port-step could land one node's REST port on another's gRPC port).
	return checkTestnetPorts(args)
}

type testnetNode struct {
	name, home string
	nodeID     string
	valPubKey  cryptotypes.PubKey
	addr       sdk.AccAddress
}

func initTestnetFiles(cmd *cobra.Command, clientCtx client.Context, a *app.App, args testnetArgs) error {
	if _, err := os.Stat(args.outputDir); err == nil {
		return fmt.Errorf("%s already exists; remove it or choose another --%s", args.outputDir, flagOutputDir)
	}
	// Owner-only from the top: the homes hold keyrings and validator keys.
	if err := os.MkdirAll(args.outputDir, 0o700); err != nil {
		return err
	}
	gentxsDir := filepath.Join(args.outputDir, "gentxs")
	nodes := make([]testnetNode, args.numValidators)
	var (
		genAccounts []authtypes.GenesisAccount
		genBalances []banktypes.Balance
	)
	inBuf := bufio.NewReader(cmd.InOrStdin())

	for i := range nodes {
		n := &nodes[i]
		n.name = fmt.Sprintf("node%d", i)
		n.home = filepath.Join(args.outputDir, n.name)
		cfg, err := testnetCometConfig(args, i, n.home)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(n.home, "config"), 0o700); err != nil {
			return err
		}
		n.nodeID, n.valPubKey, err = genutil.InitializeNodeValidatorFiles(cfg)
		if err != nil {
			return err
		}

		kb, err := keyring.New(sdk.KeyringServiceName(), args.keyringBackend, n.home, inBuf, clientCtx.Codec)
		if err != nil {
			return err
		}
		algos, _ := kb.SupportedAlgorithms()
		algo, err := keyring.NewSigningAlgoFromString(string(hd.Secp256k1Type), algos)
		if err != nil {
			return err
		}
		addr, secret, err := testutil.GenerateSaveCoinKey(kb, n.name, "", true, algo)
		if err != nil {
			return err
		}
		n.addr = addr
		if args.saveMnemonics {
			seed, _ := json.Marshal(map[string]string{"secret": secret})
			if err := os.WriteFile(filepath.Join(n.home, "key_seed.json"), seed, 0o600); err != nil {
				return err
			}
		}

		genBalances = append(genBalances, banktypes.Balance{
			Address: addr.String(), Coins: sdk.NewCoins(sdk.NewCoin(appparams.BondDenom, testnetAccountTokens)),
		})
		genAccounts = append(genAccounts, authtypes.NewBaseAccount(addr, nil, 0, 0))

		ports := testnetPorts(args, i)
		if err := writeGentx(cmd, clientCtx, kb, args.chainID, *n, ports.P2P, gentxsDir); err != nil {
			return err
		}

		srvconfig.WriteConfigFile(filepath.Join(n.home, "config", "app.toml"), testnetAppConfig(args, ports))
		clientCfg := fmt.Sprintf("chain-id = %q\nkeyring-backend = %q\noutput = \"text\"\nnode = \"tcp://127.0.0.1:%d\"\nbroadcast-mode = \"sync\"\n",
			args.chainID, args.keyringBackend, ports.RPC)
		if err := os.WriteFile(filepath.Join(n.home, "config", "client.toml"), []byte(clientCfg), 0o644); err != nil {
			return err
		}
	}

	appState, err := testnetGenesisState(clientCtx, a, genAccounts, genBalances)
	if err != nil {
		return err
	}
	genTime := cmttime.Now()
	var finalState json.RawMessage
	for i, n := range nodes {
		cfg, err := testnetCometConfig(args, i, n.home)
		if err != nil {
			return err
		}
		if err := genutiltypes.NewAppGenesisWithVersion(args.chainID, appState).SaveAs(cfg.GenesisFile()); err != nil {
			return err
		}
		appGenesis, err := genutiltypes.AppGenesisFromFile(cfg.GenesisFile())
		if err != nil {
			return err
		}
		initCfg := genutiltypes.NewInitConfig(args.chainID, gentxsDir, n.nodeID, n.valPubKey)
		nodeState, err := genutil.GenAppStateFromConfig(clientCtx.Codec, clientCtx.TxConfig, cfg, initCfg, appGenesis,
			banktypes.GenesisBalancesIterator{}, genutiltypes.DefaultMessageValidator, clientCtx.TxConfig.SigningContext().ValidatorAddressCodec())
		if err != nil {
			return err
		}
		if finalState == nil {
			finalState = nodeState // every node collects the same gentxs, so the states are equal
		}
		if err := genutil.ExportGenesisFileWithTime(cfg.GenesisFile(), args.chainID, nil, finalState, genTime); err != nil {
			return err
		}
	}

	// Peers are written last, once every node id is known.
	for i, n := range nodes {
		cfg, err := testnetCometConfig(args, i, n.home)
		if err != nil {
			return err
		}
		var peers []string
		for j, other := range nodes {
			if j != i {
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", other.nodeID, testnetPorts(args, j).P2P))
			}
		}
		cfg.P2P.PersistentPeers = strings.Join(peers, ",")
		cmtconfig.WriteConfigFile(filepath.Join(n.home, "config", "config.toml"), cfg)
	}

	cmd.PrintErrf("Initialized %d validator homes under %s (chain %s)\n", args.numValidators, args.outputDir, args.chainID)
	for i, n := range nodes {
		p := testnetPorts(args, i)
		cmd.PrintErrf("  %s: rpc 127.0.0.1:%d  api 127.0.0.1:%d  grpc 127.0.0.1:%d  prometheus 127.0.0.1:%d  key %s (%s)\n", n.home,
			p.RPC, p.API, p.GRPC, p.Prometheus, n.name, n.addr)
	}
	return nil
}

// testnetAppConfig is node i's app.toml: REST and gRPC on its own ports, state sync
// snapshots on (every validator of a test network can serve a joining node).
func testnetAppConfig(args testnetArgs, p nodePorts) *srvconfig.Config {
	appCfg := srvconfig.DefaultConfig()
	appCfg.MinGasPrices = "0" + appparams.BondDenom
	appCfg.API.Enable = true
	appCfg.API.Address = fmt.Sprintf("tcp://127.0.0.1:%d", p.API)
	appCfg.GRPC.Enable = true
	appCfg.GRPC.Address = fmt.Sprintf("127.0.0.1:%d", p.GRPC)
	appCfg.StateSync.SnapshotInterval = args.snapInterval
	appCfg.StateSync.SnapshotKeepRecent = args.snapKeepRecent
	return appCfg
}

// testnetCometConfig is node i's CometBFT config: ports offset so nodes share one host.
func testnetCometConfig(args testnetArgs, i int, home string) (*cmtconfig.Config, error) {
	p := testnetPorts(args, i)
	cfg := initCometConfig()
	cfg.SetRoot(home)
	cfg.Moniker = fmt.Sprintf("node%d", i)
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p.P2P)
	cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p.RPC)
	// proxy_app is bound only when the app runs out of process, but each node gets its own
	// so that running one that way does not collide with the others.
	cfg.ProxyApp = fmt.Sprintf("tcp://127.0.0.1:%d", p.ProxyApp)
	cfg.RPC.PprofListenAddress = ""
	if p.Pprof != 0 {
		cfg.RPC.PprofListenAddress = fmt.Sprintf("127.0.0.1:%d", p.Pprof)
	}
	cfg.Instrumentation.Prometheus = true
	cfg.Instrumentation.PrometheusListenAddr = fmt.Sprintf("127.0.0.1:%d", p.Prometheus)
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	if args.timeoutCommit != "" {
		d, err := timeDuration(args.timeoutCommit)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flagTimeoutCommit, err)
		}
		cfg.Consensus.TimeoutCommit = d
	}
	return cfg, nil
}

func writeGentx(cmd *cobra.Command, clientCtx client.Context, kb keyring.Keyring, chainID string, n testnetNode, p2pPort int, dir string) error {
	msg, err := stakingtypes.NewMsgCreateValidator(
		sdk.ValAddress(n.addr).String(), n.valPubKey,
		sdk.NewCoin(appparams.BondDenom, testnetBondTokens),
		stakingtypes.NewDescription(n.name, "", "", "", ""),
		stakingtypes.NewCommissionRates(sdkmath.LegacyNewDecWithPrec(5, 2), sdkmath.LegacyNewDecWithPrec(20, 2), sdkmath.LegacyNewDecWithPrec(1, 2)),
		sdkmath.OneInt(),
	)
	if err != nil {
		return err
	}
	memo := fmt.Sprintf("%s@127.0.0.1:%d", n.nodeID, p2pPort)
	txBuilder := clientCtx.TxConfig.NewTxBuilder()
	if err := txBuilder.SetMsgs(msg); err != nil {
		return err
	}
	txBuilder.SetMemo(memo)
	txf := tx.Factory{}.WithChainID(chainID).WithMemo(memo).WithKeybase(kb).WithTxConfig(clientCtx.TxConfig)
	if err := tx.Sign(cmd.Context(), txf, n.name, txBuilder, true); err != nil {
		return err
	}
	bz, err := clientCtx.TxConfig.TxJSONEncoder()(txBuilder.GetTx())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, n.name+".json"), bz, 0o644)
}

// testnetGenesisState is the default genesis with the validators' accounts and balances.
func testnetGenesisState(clientCtx client.Context, a *app.App, accounts []authtypes.GenesisAccount, balances []banktypes.Balance) (json.RawMessage, error) {
	state := a.DefaultGenesis()
	var authGen authtypes.GenesisState
	clientCtx.Codec.MustUnmarshalJSON(state[authtypes.ModuleName], &authGen)
	packed, err := authtypes.PackAccounts(accounts)
	if err != nil {
		return nil, err
	}
	authGen.Accounts = packed
	state[authtypes.ModuleName] = clientCtx.Codec.MustMarshalJSON(&authGen)

	var bankGen banktypes.GenesisState
	clientCtx.Codec.MustUnmarshalJSON(state[banktypes.ModuleName], &bankGen)
	bankGen.Balances = banktypes.SanitizeGenesisBalances(balances)
	for _, b := range bankGen.Balances {
		bankGen.Supply = bankGen.Supply.Add(b.Coins...)
	}
	state[banktypes.ModuleName] = clientCtx.Codec.MustMarshalJSON(&bankGen)
	return json.MarshalIndent(state, "", "  ")
}

func timeDuration(s string) (d time.Duration, err error) { return time.ParseDuration(s) }
