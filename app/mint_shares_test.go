package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/server"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/cortnet/cortd/app"
	challengeskeeper "github.com/cortnet/cortd/x/challenges/keeper"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datakeeper "github.com/cortnet/cortd/x/data/keeper"
	datatypes "github.com/cortnet/cortd/x/data/types"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

const mintShareChain = "cort-mintshare-1"

func newMintShareApp(t *testing.T) *app.App {
	t.Helper()
	return app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()),
		baseapp.SetChainID(mintShareChain))
}

// withShares returns the default genesis with the three pools' mint_share set (an empty
// string leaves a module's default).
func withShares(t *testing.T, a *app.App, nodes, challenges, data string) map[string]json.RawMessage {
	t.Helper()
	gs := a.DefaultGenesis()
	cdc := a.AppCodec()
	if nodes != "" {
		var g nodestypes.GenesisState
		require.NoError(t, cdc.UnmarshalJSON(gs[nodestypes.ModuleName], &g))
		g.Params.MintShare = sdkmath.LegacyMustNewDecFromStr(nodes)
		gs[nodestypes.ModuleName] = cdc.MustMarshalJSON(&g)
	}
	if challenges != "" {
		var g challengestypes.GenesisState
		require.NoError(t, cdc.UnmarshalJSON(gs[challengestypes.ModuleName], &g))
		g.Params.MintShare = sdkmath.LegacyMustNewDecFromStr(challenges)
		gs[challengestypes.ModuleName] = cdc.MustMarshalJSON(&g)
	}
	if data != "" {
		var g datatypes.GenesisState
		require.NoError(t, cdc.UnmarshalJSON(gs[datatypes.ModuleName], &g))
		g.Params.MintShare = sdkmath.LegacyMustNewDecFromStr(data)
		gs[datatypes.ModuleName] = cdc.MustMarshalJSON(&g)
	}
	return gs
}

func TestValidateMintShares(t *testing.T) {
	a := newMintShareApp(t)
	cdc := a.AppCodec()
	require.NoError(t, app.ValidateMintShares(cdc, a.DefaultGenesis()))
	require.NoError(t, app.ValidateMintShares(cdc, withShares(t, a, "0.5", "0.3", "0.2")), "exactly 1")

	err := app.ValidateMintShares(cdc, withShares(t, a, "0.5", "0.3", "0.200000000000000001"))
	require.ErrorContains(t, err, "mint shares sum to 1.000000000000000001 > 1 (nodes 0.500000000000000000, challenges 0.300000000000000000, data 0.200000000000000001)")
	require.ErrorContains(t, app.ValidateMintShares(cdc, withShares(t, a, "1", "0", "0.5")), "mint shares sum to 1.5")

	// each module checks its own share's range; a negative one cannot make room for others
	require.ErrorContains(t, app.ValidateMintShares(cdc, withShares(t, a, "0.9", "0.6", "-0.5")), "data mint_share must be in [0, 1]")

	// a module absent from the state is not initialised and takes nothing
	gs := withShares(t, a, "0.9", "0.1", "0.5")
	delete(gs, datatypes.ModuleName)
	require.NoError(t, app.ValidateMintShares(cdc, gs))

	gs = a.DefaultGenesis()
	gs[challengestypes.ModuleName] = json.RawMessage(`[]`)
	require.ErrorContains(t, app.ValidateMintShares(cdc, gs), "decoding challenges genesis")
}

// InitChain refuses a genesis whose shares sum above 1, whatever each module thinks of
// its own section.
func TestInitChainRefusesMintSharesAboveOne(t *testing.T) {
	a := newMintShareApp(t)
	gs := withShares(t, a, "0.6", "0.3", "0.2")
	require.NoError(t, a.BasicModuleManager.ValidateGenesis(a.AppCodec(), a.TxConfig(), gs), "every module accepts its own section")
	bz, err := json.Marshal(gs)
	require.NoError(t, err)
	_, err = newMintShareApp(t).InitChain(&abci.RequestInitChain{ChainId: mintShareChain, InitialHeight: 1,
		AppStateBytes: bz, ConsensusParams: simtestutil.DefaultConsensusParams})
	require.ErrorContains(t, err, "invalid genesis: mint shares sum to 1.1")

	// the default genesis passes the check and stops later, for lack of a validator
	bz, err = json.Marshal(a.DefaultGenesis())
	require.NoError(t, err)
	_, err = newMintShareApp(t).InitChain(&abci.RequestInitChain{ChainId: mintShareChain, InitialHeight: 1,
		AppStateBytes: bz, ConsensusParams: simtestutil.DefaultConsensusParams})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "mint shares")
}

// `cortd genesis validate` refuses the same genesis, and accepts one at exactly 1.
func TestGenesisValidateCommandChecksMintShares(t *testing.T) {
	a := newMintShareApp(t)
	run := func(gs map[string]json.RawMessage) (string, error) {
		state, err := json.Marshal(gs)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "genesis.json")
		require.NoError(t, genutiltypes.NewAppGenesisWithVersion(mintShareChain, state).SaveAs(path))
		cmd := app.GenesisCommands(a.TxConfig(), a.BasicModuleManager, t.TempDir())
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs([]string{"validate", path})
		clientCtx := client.Context{}.WithCodec(a.AppCodec()).WithTxConfig(a.TxConfig())
		ctx := context.WithValue(context.Background(), client.ClientContextKey, &clientCtx)
		ctx = context.WithValue(ctx, server.ServerContextKey, server.NewDefaultContext())
		err = cmd.ExecuteContext(ctx)
		return out.String(), err
	}
	out, err := run(withShares(t, a, "0.5", "0.3", "0.2"))
	require.NoError(t, err)
	require.Contains(t, out, "is a valid genesis file")

	out, err = run(withShares(t, a, "0.5", "0.3", "0.3"))
	require.ErrorContains(t, err, "mint shares sum to 1.100000000000000000 > 1")
	require.NotContains(t, out, "is a valid genesis file")

	// a genesis a module rejects is still reported by the SDK's own validation
	gs := withShares(t, a, "0.5", "0.3", "0.3")
	gs[challengestypes.ModuleName] = json.RawMessage(`[]`)
	_, err = run(gs)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "mint shares")
}

// The app wires every pool keeper to the others' shares: a MsgUpdateParams of any of the
// three that would take the sum above 1 is refused and leaves the params unchanged.
func TestMintShareUpdatesCheckTheOtherPools(t *testing.T) {
	a := newMintShareApp(t)
	ctx := a.NewNextBlockContext(cmtproto.Header{ChainID: mintShareChain, Height: 1})
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	np, cp, dp := nodestypes.DefaultParams(), challengestypes.DefaultParams(), datatypes.DefaultParams()
	np.MintShare = sdkmath.LegacyMustNewDecFromStr("0.5")
	cp.MintShare = sdkmath.LegacyMustNewDecFromStr("0.3")
	dp.MintShare = sdkmath.LegacyMustNewDecFromStr("0.2")
	require.NoError(t, a.NodesKeeper.Params.Set(ctx, np))
	require.NoError(t, a.ChallengesKeeper.Params.Set(ctx, cp))
	require.NoError(t, a.DataKeeper.Params.Set(ctx, dp))
	require.NoError(t, a.DataKeeper.Accounting.Set(ctx, datatypes.ZeroAccounting()))
	tiny := sdkmath.LegacySmallestDec()

	nodesMsg := nodeskeeper.NewMsgServerImpl(a.NodesKeeper)
	up := np
	up.MintShare = np.MintShare.Add(tiny)
	_, err := nodesMsg.UpdateParams(ctx, &nodestypes.MsgUpdateParams{Authority: gov, Params: up})
	require.ErrorIs(t, err, nodestypes.ErrInvalidParams)
	got, err := a.NodesKeeper.GetParams(ctx)
	require.NoError(t, err)
	require.True(t, got.MintShare.Equal(np.MintShare))

	challengesMsg := challengeskeeper.NewMsgServerImpl(a.ChallengesKeeper)
	upc := cp
	upc.MintShare = cp.MintShare.Add(tiny)
	_, err = challengesMsg.UpdateParams(ctx, &challengestypes.MsgUpdateParams{Authority: gov, Params: upc})
	require.ErrorIs(t, err, challengestypes.ErrInvalidParams)
	gotc, err := a.ChallengesKeeper.GetParams(ctx)
	require.NoError(t, err)
	require.True(t, gotc.MintShare.Equal(cp.MintShare))

	dataMsg := datakeeper.NewMsgServerImpl(a.DataKeeper)
	upd := dp
	upd.MintShare = dp.MintShare.Add(tiny)
	_, err = dataMsg.UpdateParams(ctx, &datatypes.MsgUpdateParams{Authority: gov, Params: upd})
	require.ErrorIs(t, err, datatypes.ErrInvalidParams)
	gotd, err := a.DataKeeper.Params.Get(ctx)
	require.NoError(t, err)
	require.True(t, gotd.MintShare.Equal(dp.MintShare))

	// lowering one share makes room for another
	down := np
	down.MintShare = sdkmath.LegacyMustNewDecFromStr("0.4")
	_, err = nodesMsg.UpdateParams(ctx, &nodestypes.MsgUpdateParams{Authority: gov, Params: down})
	require.NoError(t, err)
	upd.MintShare = sdkmath.LegacyMustNewDecFromStr("0.3")
	_, err = dataMsg.UpdateParams(ctx, &datatypes.MsgUpdateParams{Authority: gov, Params: upd})
	require.NoError(t, err)
}
