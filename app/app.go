// Package app wires the cortd application: the SDK's standard modules plus the network's
// own modules, by hand (no depinject), so every keeper and its dependencies are visible here.
package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/proto"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
	reflectionv1 "cosmossdk.io/api/cosmos/reflection/v1"
	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	runtimeservices "github.com/cosmos/cosmos-sdk/runtime/services"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/server/api"
	"github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/std"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
	"github.com/cosmos/cosmos-sdk/version"
	"github.com/cosmos/cosmos-sdk/x/auth"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authsims "github.com/cosmos/cosmos-sdk/x/auth/simulation"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/consensus"
	consensuskeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distr "github.com/cosmos/cosmos-sdk/x/distribution"
	distrkeeper "github.com/cosmos/cosmos-sdk/x/distribution/keeper"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	"github.com/cosmos/cosmos-sdk/x/epochs"
	epochskeeper "github.com/cosmos/cosmos-sdk/x/epochs/keeper"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	"github.com/cosmos/cosmos-sdk/x/evidence"
	evidencekeeper "github.com/cosmos/cosmos-sdk/x/evidence/keeper"
	evidencetypes "github.com/cosmos/cosmos-sdk/x/evidence/types"
	"github.com/cosmos/cosmos-sdk/x/feegrant"
	feegrantkeeper "github.com/cosmos/cosmos-sdk/x/feegrant/keeper"
	feegrantmodule "github.com/cosmos/cosmos-sdk/x/feegrant/module"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/cosmos-sdk/x/gov"
	govclient "github.com/cosmos/cosmos-sdk/x/gov/client"
	govkeeper "github.com/cosmos/cosmos-sdk/x/gov/keeper"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1beta1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1beta1"
	"github.com/cosmos/cosmos-sdk/x/mint"
	mintkeeper "github.com/cosmos/cosmos-sdk/x/mint/keeper"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	"github.com/cosmos/cosmos-sdk/x/slashing"
	slashingkeeper "github.com/cosmos/cosmos-sdk/x/slashing/keeper"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"
	"github.com/cosmos/cosmos-sdk/x/upgrade"
	upgradekeeper "github.com/cosmos/cosmos-sdk/x/upgrade/keeper"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	appparams "github.com/cortnet/cortd/app/params"
	"github.com/cortnet/cortd/app/recovery"
	"github.com/cortnet/cortd/app/stream"
	"github.com/cortnet/cortd/x/audits"
	auditskeeper "github.com/cortnet/cortd/x/audits/keeper"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/challenges"
	challengeskeeper "github.com/cortnet/cortd/x/challenges/keeper"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datamod "github.com/cortnet/cortd/x/data"
	datakeeper "github.com/cortnet/cortd/x/data/keeper"
	datatypes "github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/models"
	modelskeeper "github.com/cortnet/cortd/x/models/keeper"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	"github.com/cortnet/cortd/x/nodes"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	"github.com/cortnet/cortd/x/payments"
	paymentskeeper "github.com/cortnet/cortd/x/payments/keeper"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	"github.com/cortnet/cortd/x/sessions"
	sessionskeeper "github.com/cortnet/cortd/x/sessions/keeper"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// DefaultNodeHome is where `cortd` keeps its config and data unless --home says otherwise.
var DefaultNodeHome = defaultNodeHome()

func defaultNodeHome() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".cortd"
	}
	return filepath.Join(home, ".cortd")
}

// maccPerms are the module accounts and what each may do with coins.
var maccPerms = map[string][]string{
	authtypes.FeeCollectorName:      nil,
	distrtypes.ModuleName:           nil,
	minttypes.ModuleName:            {authtypes.Minter},
	stakingtypes.BondedPoolName:     {authtypes.Burner, authtypes.Staking},
	stakingtypes.NotBondedPoolName:  {authtypes.Burner, authtypes.Staking},
	govtypes.ModuleName:             {authtypes.Burner},
	modelstypes.ModuleName:          nil, // holds registration deposits
	nodestypes.ModuleName:           nil, // holds node stakes, unbonding stakes and unwithdrawn rewards
	nodestypes.RewardsPoolName:      nil, // the period rewards pool (slashes go to the community pool, nothing is burned)
	paymentstypes.ModuleName:        nil, // session escrows and node operators' pending payments
	challengestypes.ModuleName:      nil, // challenge posting deposits
	challengestypes.RewardsPoolName: nil, // challenge emissions and miners' pending rewards
	datatypes.ModuleName:            nil, // data rewards pool, submission bonds and reserved rewards
}

var _ servertypes.Application = (*App)(nil)

// App is the cortd application.
type App struct {
	*baseapp.BaseApp

	legacyAmino       *codec.LegacyAmino
	appCodec          codec.Codec
	txConfig          client.TxConfig
	interfaceRegistry codectypes.InterfaceRegistry

	keys map[string]*storetypes.KVStoreKey

	// stream serves committed blocks' events to sidecars (cortd.stream.v1).
	stream *stream.Hub

	// SDK keepers
	AccountKeeper         authkeeper.AccountKeeper
	BankKeeper            bankkeeper.BaseKeeper
	StakingKeeper         *stakingkeeper.Keeper
	SlashingKeeper        slashingkeeper.Keeper
	MintKeeper            mintkeeper.Keeper
	DistrKeeper           distrkeeper.Keeper
	GovKeeper             govkeeper.Keeper
	UpgradeKeeper         *upgradekeeper.Keeper
	EvidenceKeeper        evidencekeeper.Keeper
	FeeGrantKeeper        feegrantkeeper.Keeper
	ConsensusParamsKeeper consensuskeeper.Keeper
	EpochsKeeper          epochskeeper.Keeper

	// cortd keepers
	ModelsKeeper   modelskeeper.Keeper
	NodesKeeper    nodeskeeper.Keeper
	PaymentsKeeper paymentskeeper.Keeper
	SessionsKeeper sessionskeeper.Keeper
	AuditsKeeper   auditskeeper.Keeper
	DataKeeper     datakeeper.Keeper
	// ChallengesKeeper: coding challenges, miner weights and their emissions.
	ChallengesKeeper challengeskeeper.Keeper

	ModuleManager      *module.Manager
	BasicModuleManager module.BasicManager
	configurator       module.Configurator

	// simRecorder counts the app simulation's operations (app/simulation.go; nil on a node).
	simRecorder SimRecorder
}

// New builds the app over db. appOpts carries the node's config (home, upgrade skip heights...).
func New(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp)) *App {
	interfaceRegistry, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			// Every message's signer is decoded with it (appparams.LastAddressCodec).
			AddressCodec:          appparams.NewLastAddressCodec(address.Bech32Codec{Bech32Prefix: appparams.Bech32Prefix}),
			ValidatorAddressCodec: address.Bech32Codec{Bech32Prefix: appparams.Bech32PrefixValAddr},
		},
	})
	if err != nil {
		panic(err)
	}
	appCodec := codec.NewProtoCodec(interfaceRegistry)
	legacyAmino := codec.NewLegacyAmino()
	txConfig := authtx.NewTxConfig(appCodec, authtx.DefaultSignModes)
	std.RegisterLegacyAminoCodec(legacyAmino)
	std.RegisterInterfaces(interfaceRegistry)

	bApp := baseapp.NewBaseApp(appparams.AppName, logger, db, txConfig.TxDecoder(), baseAppOptions...)
	bApp.SetVersion(version.Version)
	bApp.SetInterfaceRegistry(interfaceRegistry)
	bApp.SetTxEncoder(txConfig.TxEncoder())
	// A panic in a transaction gets a short ErrPanic; its stack goes to the node's log, not raw_log.
	bApp.AddRunTxRecoveryHandler(recovery.Handler(logger))

	keys := storetypes.NewKVStoreKeys(
		authtypes.StoreKey, banktypes.StoreKey, stakingtypes.StoreKey, minttypes.StoreKey,
		distrtypes.StoreKey, slashingtypes.StoreKey, govtypes.StoreKey, consensustypes.StoreKey,
		upgradetypes.StoreKey, feegrant.StoreKey, evidencetypes.StoreKey, epochstypes.StoreKey,
		modelstypes.StoreKey, nodestypes.StoreKey, paymentstypes.StoreKey, sessionstypes.StoreKey,
		auditstypes.StoreKey, challengestypes.StoreKey, datatypes.StoreKey,
	)
	if err := bApp.RegisterStreamingServices(appOpts, keys); err != nil {
		panic(err)
	}

	app := &App{
		BaseApp:           bApp,
		legacyAmino:       legacyAmino,
		appCodec:          appCodec,
		txConfig:          txConfig,
		interfaceRegistry: interfaceRegistry,
		keys:              keys,
		stream:            stream.NewHub(),
	}
	// The event stream listens beside whatever app.toml's [streaming] configured.
	sm := bApp.StreamingManager()
	sm.ABCIListeners = append(sm.ABCIListeners, app.stream)
	bApp.SetStreamingManager(sm)
	govAuthority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	accCodec := authcodec.NewBech32Codec(appparams.Bech32Prefix)

	app.ConsensusParamsKeeper = consensuskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[consensustypes.StoreKey]), govAuthority, runtime.EventService{})
	bApp.SetParamStore(app.ConsensusParamsKeeper.ParamsStore)

	app.AccountKeeper = authkeeper.NewAccountKeeper(appCodec, runtime.NewKVStoreService(keys[authtypes.StoreKey]),
		authtypes.ProtoBaseAccount, maccPerms, accCodec, appparams.Bech32Prefix, govAuthority,
		authkeeper.WithUnorderedTransactions(true))
	app.BankKeeper = bankkeeper.NewBaseKeeper(appCodec, runtime.NewKVStoreService(keys[banktypes.StoreKey]),
		app.AccountKeeper, BlockedAddresses(), govAuthority, logger)
	app.StakingKeeper = stakingkeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[stakingtypes.StoreKey]),
		app.AccountKeeper, app.BankKeeper, govAuthority,
		authcodec.NewBech32Codec(appparams.Bech32PrefixValAddr), authcodec.NewBech32Codec(appparams.Bech32PrefixConsAddr))
	app.MintKeeper = mintkeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[minttypes.StoreKey]),
		app.StakingKeeper, app.AccountKeeper, app.BankKeeper, authtypes.FeeCollectorName, govAuthority)
	app.DistrKeeper = distrkeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[distrtypes.StoreKey]),
		app.AccountKeeper, app.BankKeeper, app.StakingKeeper, authtypes.FeeCollectorName, govAuthority)
	app.SlashingKeeper = slashingkeeper.NewKeeper(appCodec, legacyAmino, runtime.NewKVStoreService(keys[slashingtypes.StoreKey]),
		app.StakingKeeper, govAuthority)
	app.FeeGrantKeeper = feegrantkeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[feegrant.StoreKey]), app.AccountKeeper)
	app.StakingKeeper.SetHooks(stakingtypes.NewMultiStakingHooks(app.DistrKeeper.Hooks(), app.SlashingKeeper.Hooks()))

	homePath, _ := appOpts.Get("home").(string)
	skipUpgradeHeights := map[int64]bool{}
	if heights, ok := appOpts.Get(server.FlagUnsafeSkipUpgrades).([]int); ok {
		for _, h := range heights {
			skipUpgradeHeights[int64(h)] = true
		}
	}
	app.UpgradeKeeper = upgradekeeper.NewKeeper(skipUpgradeHeights, runtime.NewKVStoreService(keys[upgradetypes.StoreKey]),
		appCodec, homePath, app.BaseApp, govAuthority)

	govRouter := govv1beta1.NewRouter()
	govRouter.AddRoute(govtypes.RouterKey, govv1beta1.ProposalHandler)
	govKeeper := govkeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[govtypes.StoreKey]),
		app.AccountKeeper, app.BankKeeper, app.DistrKeeper, app.MsgServiceRouter(), govtypes.DefaultConfig(), govAuthority,
		govkeeper.NewDefaultCalculateVoteResultsAndVotingPower(app.StakingKeeper))
	govKeeper.SetLegacyRouter(govRouter)
	app.GovKeeper = *govKeeper.SetHooks(govtypes.NewMultiGovHooks())

	app.EvidenceKeeper = *evidencekeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[evidencetypes.StoreKey]),
		app.StakingKeeper, app.SlashingKeeper, accCodec, runtime.ProvideCometInfoService())

	app.ModelsKeeper = modelskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[modelstypes.StoreKey]),
		app.BankKeeper, govAuthority)
	// x/nodes: stakes and rewards; slashed stake goes to the community pool through
	// x/distribution; mint share read from x/mint's block provision.
	app.NodesKeeper = nodeskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[nodestypes.StoreKey]),
		app.BankKeeper, app.AccountKeeper, app.ModelsKeeper, app.DistrKeeper,
		nodeskeeper.MintProvision{Keeper: app.MintKeeper}, authtypes.FeeCollectorName, govAuthority)
	// x/payments holds session escrows; x/sessions drives it and reports stats to x/nodes.
	app.PaymentsKeeper = paymentskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[paymentstypes.StoreKey]),
		app.BankKeeper, app.AccountKeeper, govAuthority)
	app.SessionsKeeper = sessionskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[sessionstypes.StoreKey]),
		app.ModelsKeeper, app.NodesKeeper, app.PaymentsKeeper, govAuthority)

	// x/audits holds no funds. Subject modules (x/data, sampled x/sessions tasks) add their
	// outcome handlers to this one router; SetRouter seals it and may be called only once.
	app.AuditsKeeper = auditskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[auditstypes.StoreKey]),
		app.StakingKeeper, govAuthority)
	// x/data: targets, bonds and rewards in its module account; opens audits of filled
	// targets; forfeited bonds go to the reporting auditor and the community pool.
	app.DataKeeper = datakeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[datatypes.StoreKey]),
		app.BankKeeper, app.AccountKeeper, app.ModelsKeeper, app.AuditsKeeper,
		app.DistrKeeper, nodeskeeper.MintProvision{Keeper: app.MintKeeper}, authtypes.FeeCollectorName, govAuthority)
	// x/sessions opens audits of sampled tasks (x/audits is built after it, hence SetAudits).
	app.SessionsKeeper.SetAudits(app.AuditsKeeper)
	app.AuditsKeeper.SetRouter(auditstypes.NewRouter().
		AddRoute(datatypes.ModuleName, app.DataKeeper.AuditHandler()).
		AddRoute(sessionstypes.ModuleName, app.SessionsKeeper.AuditHandler()))

	// x/challenges: posting deposits escrowed in its module account (a missed tests reveal
	// forfeits to the community pool); emissions from its rewards pool, fed by its mint share.
	app.ChallengesKeeper = challengeskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[challengestypes.StoreKey]),
		app.StakingKeeper, app.NodesKeeper, app.BankKeeper, app.AccountKeeper, app.DistrKeeper,
		nodeskeeper.MintProvision{Keeper: app.MintKeeper}, authtypes.FeeCollectorName, govAuthority)

	app.EpochsKeeper = epochskeeper.NewKeeper(runtime.NewKVStoreService(keys[epochstypes.StoreKey]), appCodec)
	// Modules that act on epoch boundaries add their hooks here (SetHooks may be called
	// once): x/nodes closes a reward period when its reward epoch ends; x/challenges closes
	// its epoch (weights, emissions, posting limits); x/data opens its epoch's targets and,
	// at the end, expires them, opens audits of filled ones and steps the threshold.
	app.EpochsKeeper.SetHooks(epochstypes.NewMultiEpochHooks(app.NodesKeeper.Hooks(), app.ChallengesKeeper.Hooks(), app.DataKeeper.Hooks()))
	// x/nodes scales monthly rewards to its reward epoch's length and observes roles
	// (audits completed, challenge scores agreed) through app/nodes_rewards.go.
	app.NodesKeeper.SetRewardSources(app.nodesRewardSources())
	// x/nodes, x/challenges and x/data check their mint shares together (app/mint_shares.go).
	app.wireMintShares()

	app.ModuleManager = module.NewManager(
		genutil.NewAppModule(app.AccountKeeper, app.StakingKeeper, app, txConfig),
		auth.NewAppModule(appCodec, app.AccountKeeper, authsims.RandomGenesisAccounts, nil),
		bank.NewAppModule(appCodec, app.BankKeeper, app.AccountKeeper, nil),
		feegrantmodule.NewAppModule(appCodec, app.AccountKeeper, app.BankKeeper, app.FeeGrantKeeper, interfaceRegistry),
		gov.NewAppModule(appCodec, &app.GovKeeper, app.AccountKeeper, app.BankKeeper, nil),
		mint.NewAppModule(appCodec, app.MintKeeper, app.AccountKeeper, nil, nil),
		slashing.NewAppModule(appCodec, app.SlashingKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper, nil, interfaceRegistry),
		distr.NewAppModule(appCodec, app.DistrKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper, nil),
		staking.NewAppModule(appCodec, app.StakingKeeper, app.AccountKeeper, app.BankKeeper, nil),
		upgrade.NewAppModule(app.UpgradeKeeper, accCodec),
		evidence.NewAppModule(app.EvidenceKeeper),
		consensus.NewAppModule(appCodec, app.ConsensusParamsKeeper),
		epochs.NewAppModule(&app.EpochsKeeper),
		models.NewAppModule(appCodec, app.ModelsKeeper),
		nodes.NewAppModule(appCodec, app.NodesKeeper),
		payments.NewAppModule(appCodec, app.PaymentsKeeper),
		sessions.NewAppModule(appCodec, app.SessionsKeeper),
		audits.NewAppModule(appCodec, app.AuditsKeeper),
		datamod.NewAppModule(appCodec, app.DataKeeper),
		challenges.NewAppModule(appCodec, app.ChallengesKeeper),
	)
	app.BasicModuleManager = module.NewBasicManagerFromManager(app.ModuleManager, map[string]module.AppModuleBasic{
		genutiltypes.ModuleName: genutil.NewAppModuleBasic(genutiltypes.DefaultMessageValidator),
		govtypes.ModuleName:     gov.NewAppModuleBasic([]govclient.ProposalHandler{}),
	})
	app.BasicModuleManager.RegisterLegacyAminoCodec(legacyAmino)
	app.BasicModuleManager.RegisterInterfaces(interfaceRegistry)

	app.ModuleManager.SetOrderPreBlockers(upgradetypes.ModuleName, authtypes.ModuleName)
	// x/nodes, x/challenges and x/data sit between mint and distribution: they move their mint shares out of the fee
	// collector after mint filled it and before distribution sweeps it.
	app.ModuleManager.SetOrderBeginBlockers(
		minttypes.ModuleName, nodestypes.ModuleName, challengestypes.ModuleName, datatypes.ModuleName, distrtypes.ModuleName, slashingtypes.ModuleName, evidencetypes.ModuleName,
		stakingtypes.ModuleName, epochstypes.ModuleName, auditstypes.ModuleName, genutiltypes.ModuleName,
	)
	// x/bank must end-block first since SDK v0.54.
	app.ModuleManager.SetOrderEndBlockers(
		banktypes.ModuleName, govtypes.ModuleName, stakingtypes.ModuleName, feegrant.ModuleName, genutiltypes.ModuleName,
		nodestypes.ModuleName, sessionstypes.ModuleName, datatypes.ModuleName, auditstypes.ModuleName, challengestypes.ModuleName,
	)
	// genutil runs after staking (gentxs bond tokens) and after auth (it reads auth params).
	genesisOrder := []string{
		authtypes.ModuleName, banktypes.ModuleName, distrtypes.ModuleName, stakingtypes.ModuleName,
		slashingtypes.ModuleName, govtypes.ModuleName, minttypes.ModuleName, genutiltypes.ModuleName,
		evidencetypes.ModuleName, feegrant.ModuleName, upgradetypes.ModuleName, consensustypes.ModuleName,
		epochstypes.ModuleName, modelstypes.ModuleName, nodestypes.ModuleName, paymentstypes.ModuleName,
		sessionstypes.ModuleName, auditstypes.ModuleName, challengestypes.ModuleName, datatypes.ModuleName,
	}
	app.ModuleManager.SetOrderInitGenesis(genesisOrder...)
	app.ModuleManager.SetOrderExportGenesis(genesisOrder...)

	app.configurator = module.NewConfigurator(appCodec, app.MsgServiceRouter(), app.GRPCQueryRouter())
	if err := app.ModuleManager.RegisterServices(app.configurator); err != nil {
		panic(err)
	}
	autocliv1.RegisterQueryServer(app.GRPCQueryRouter(), runtimeservices.NewAutoCLIQueryService(app.ModuleManager.Modules))
	reflectionSvc, err := runtimeservices.NewReflectionService()
	if err != nil {
		panic(err)
	}
	reflectionv1.RegisterReflectionServiceServer(app.GRPCQueryRouter(), reflectionSvc)

	// Every Msg must have a signer annotation and amino name; fail at start-up, not at the first tx.
	protoFiles, err := proto.MergedRegistry()
	if err != nil {
		panic(err)
	}
	if err := msgservice.ValidateProtoAnnotations(protoFiles); err != nil {
		logger.Error("proto annotation problems", "err", err)
	}

	app.MountKVStores(keys)
	app.SetInitChainer(app.InitChainer)
	app.SetPreBlocker(app.PreBlocker)
	app.SetBeginBlocker(app.BeginBlocker)
	app.SetEndBlocker(app.EndBlocker)

	anteHandler, err := NewAnteHandler(ante.HandlerOptions{
		AccountKeeper:   app.AccountKeeper,
		BankKeeper:      app.BankKeeper,
		FeegrantKeeper:  app.FeeGrantKeeper,
		SignModeHandler: txConfig.SignModeHandler(),
		SigGasConsumer:  ante.DefaultSigVerificationGasConsumer,
	})
	if err != nil {
		panic(err)
	}
	app.SetAnteHandler(publishAdmittedSubmits(anteHandler, app.stream))
	// Upgrade handlers and the store loader of a pending upgrade (app/upgrades.go).
	app.registerUpgrades()

	if loadLatest {
		if err := app.LoadLatestVersion(); err != nil {
			panic(fmt.Errorf("loading latest version: %w", err))
		}
	}
	return app
}

// Name returns the app name.
func (app *App) Name() string { return app.BaseApp.Name() }

// PreBlocker runs the upgrade and auth pre-blockers.
func (app *App) PreBlocker(ctx sdk.Context, _ *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	return app.ModuleManager.PreBlock(ctx)
}

// BeginBlocker runs the modules' begin blockers.
func (app *App) BeginBlocker(ctx sdk.Context) (sdk.BeginBlock, error) {
	return app.ModuleManager.BeginBlock(ctx)
}

// EndBlocker runs the modules' end blockers.
func (app *App) EndBlocker(ctx sdk.Context) (sdk.EndBlock, error) {
	return app.ModuleManager.EndBlock(ctx)
}

// InitChainer initialises every module from the genesis app state.
func (app *App) InitChainer(ctx sdk.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	var genesisState map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &genesisState); err != nil {
		return nil, fmt.Errorf("decoding app state: %w", err)
	}
	if err := app.validateGenesisState(genesisState); err != nil {
		return nil, err
	}
	if err := ValidateMintShares(app.appCodec, genesisState); err != nil { // app/mint_shares.go
		return nil, fmt.Errorf("invalid genesis: %w", err)
	}
	if err := app.UpgradeKeeper.SetModuleVersionMap(ctx, app.ModuleManager.GetVersionMap()); err != nil {
		return nil, err
	}
	return app.initModulesGenesis(ctx, genesisState)
}

// LoadHeight loads the state at a height.
func (app *App) LoadHeight(height int64) error { return app.LoadVersion(height) }

// LegacyAmino returns the amino codec.
func (app *App) LegacyAmino() *codec.LegacyAmino { return app.legacyAmino }

// AppCodec returns the proto codec.
func (app *App) AppCodec() codec.Codec { return app.appCodec }

// InterfaceRegistry returns the interface registry.
func (app *App) InterfaceRegistry() codectypes.InterfaceRegistry { return app.interfaceRegistry }

// TxConfig returns the tx config.
func (app *App) TxConfig() client.TxConfig { return app.txConfig }

// GetKey returns a store key (tests only).
func (app *App) GetKey(storeKey string) *storetypes.KVStoreKey { return app.keys[storeKey] }

// DefaultGenesis returns the default genesis of every module. The SDK's defaults read
// sdk.DefaultBondDenom, which SetAddressConfig sets to ucor.
func (app *App) DefaultGenesis() map[string]json.RawMessage {
	return app.BasicModuleManager.DefaultGenesis(app.appCodec)
}

// AutoCliOpts returns what autocli needs to build `cortd q` and `cortd tx` for every module.
func (app *App) AutoCliOpts() autocli.AppOptions {
	modules := make(map[string]appmodule.AppModule)
	for _, m := range app.ModuleManager.Modules {
		if named, ok := m.(module.HasName); ok {
			if am, ok := m.(appmodule.AppModule); ok {
				modules[named.Name()] = am
			}
		}
	}
	return autocli.AppOptions{
		Modules:               modules,
		ModuleOptions:         runtimeservices.ExtractAutoCLIOptions(app.ModuleManager.Modules),
		AddressCodec:          authcodec.NewBech32Codec(appparams.Bech32Prefix),
		ValidatorAddressCodec: authcodec.NewBech32Codec(appparams.Bech32PrefixValAddr),
		ConsensusAddressCodec: authcodec.NewBech32Codec(appparams.Bech32PrefixConsAddr),
	}
}

// RegisterAPIRoutes mounts the REST (grpc-gateway) routes of every module.
func (app *App) RegisterAPIRoutes(apiSvr *api.Server, apiConfig config.APIConfig) {
	clientCtx := apiSvr.ClientCtx
	authtx.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	cmtservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	nodeservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	app.BasicModuleManager.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	if err := server.RegisterSwaggerAPI(apiSvr.ClientCtx, apiSvr.Router, apiConfig.Swagger); err != nil {
		panic(err)
	}
}

// RegisterTxService registers the tx gRPC service (simulate, broadcast, get tx).
func (app *App) RegisterTxService(clientCtx client.Context) {
	authtx.RegisterTxService(app.GRPCQueryRouter(), clientCtx, app.Simulate, app.interfaceRegistry)
}

// RegisterTendermintService registers the CometBFT gRPC service.
func (app *App) RegisterTendermintService(clientCtx client.Context) {
	cmtApp := server.NewCometABCIWrapper(app)
	cmtservice.RegisterTendermintService(clientCtx, app.GRPCQueryRouter(), app.interfaceRegistry, cmtApp.Query)
}

// RegisterNodeService registers the node gRPC service (config, status with earliest height).
func (app *App) RegisterNodeService(clientCtx client.Context, cfg config.Config) {
	nodeservice.RegisterNodeService(clientCtx, app.GRPCQueryRouter(), cfg, func() int64 {
		return app.CommitMultiStore().EarliestVersion()
	})
}

// GetMaccPerms returns a copy of the module account permissions.
func GetMaccPerms() map[string][]string { return maps.Clone(maccPerms) }

// BlockedAddresses are module accounts that cannot receive plain sends (so nobody can
// corrupt an escrow's accounting by sending to it); gov stays open for deposits.
func BlockedAddresses() map[string]bool {
	blocked := make(map[string]bool)
	for acc := range maccPerms {
		blocked[authtypes.NewModuleAddress(acc).String()] = true
	}
	delete(blocked, authtypes.NewModuleAddress(govtypes.ModuleName).String())
	return blocked
}
