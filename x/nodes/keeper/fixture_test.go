package keeper_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/models"
	modelskeeper "github.com/cortnet/cortd/x/models/keeper"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	"github.com/cortnet/cortd/x/nodes"
	"github.com/cortnet/cortd/x/nodes/keeper"
	"github.com/cortnet/cortd/x/nodes/types"
)

const (
	denom    = "ucor"
	cor      = int64(1_000_000)
	minStake = 6_000 * cor
)

var (
	op1      = keepers.NewAddr("operator1")
	op2      = keepers.NewAddr("operator2")
	stranger = keepers.NewAddr("stranger")
	nodeKey1 = keepers.NewAddr("nodekey1")
)

// fixedMint is the minted amount the mint-share test pretends x/mint produced.
type fixedMint struct{ coin sdk.Coin }

func (m *fixedMint) BlockProvision(_ context.Context) (sdk.Coin, error) { return m.coin, nil }

// fixture is a real x/nodes keeper over real auth, bank and x/models keepers.
type fixture struct {
	*keepers.Base
	k         keeper.Keeper
	models    modelskeeper.Keeper
	community *keepers.CommunityPool
	mint      *fixedMint
	msg       types.MsgServer
	q         types.QueryServer
}

func newFixture(t testing.TB, mutate ...func(*types.Params)) *fixture {
	return newFixtureOn(t, false, mutate...)
}

// newFixtureOn builds the fixture; committable puts it on a multistore whose stores have
// separate prefixes, so benchmarks can Commit like a chain does after each block.
func newFixtureOn(t testing.TB, committable bool, mutate ...func(*types.Params)) *fixture {
	t.Helper()
	base := keepers.NewBase(t, map[string][]string{
		types.ModuleName: nil, types.RewardsPoolName: nil, modelstypes.ModuleName: nil,
		distrtypes.ModuleName: nil, authtypes.FeeCollectorName: nil,
	}, []string{types.StoreKey, modelstypes.StoreKey}, nodes.AppModule{}, models.AppModule{})
	if committable {
		cms := store.NewCommitMultiStore(dbm.NewMemDB(), log.NewNopLogger())
		for _, key := range base.Keys {
			cms.MountStoreWithDB(key, storetypes.StoreTypeIAVL, nil)
		}
		require.NoError(t, cms.LoadLatestVersion())
		base.Ctx = sdk.NewContext(cms, base.Ctx.BlockHeader(), false, log.NewNopLogger())
		require.NoError(t, base.Bank.SetParams(base.Ctx, banktypes.DefaultParams()))
	}

	mk := modelskeeper.NewKeeper(base.Cdc, base.StoreService(modelstypes.StoreKey), base.Bank, base.Authority)
	require.NoError(t, mk.InitGenesis(base.Ctx, modelstypes.DefaultGenesis()))
	authority := sdk.MustAccAddressFromBech32(base.Authority)
	modelsMsg := modelskeeper.NewMsgServerImpl(mk)
	for _, m := range []struct {
		id  string
		mib uint64
	}{{"small", 1_000}, {"medium", 8_000}, {"big", 50_000}, {"retired", 500}} {
		_, err := modelsMsg.RegisterModel(base.Ctx, &modelstypes.MsgRegisterModel{
			Sender: authority.String(), Id: m.id, Name: m.id, Architecture: "gpt2", WeightsUri: "hf://x/" + m.id,
			WeightsSha256: strings.Repeat("a", 64), TokenizerSha256: strings.Repeat("b", 64), EmbeddingDim: 64, MemoryMib: m.mib,
		})
		require.NoError(t, err)
	}
	_, err := modelsMsg.RetireModel(base.Ctx, &modelstypes.MsgRetireModel{Sender: authority.String(), Id: "retired"})
	require.NoError(t, err)

	community := &keepers.CommunityPool{Bank: base.Bank}
	mint := &fixedMint{coin: sdk.NewInt64Coin(denom, 0)}
	k := keeper.NewKeeper(base.Cdc, base.StoreService(types.StoreKey), base.Bank, base.Account, mk, community, mint,
		authtypes.FeeCollectorName, base.Authority)
	gs := types.DefaultGenesis()
	gs.Period = types.Period{Number: 1, StartHeight: 1}
	for _, m := range mutate {
		m(&gs.Params)
	}
	require.NoError(t, gs.Validate())
	require.NoError(t, k.InitGenesis(base.Ctx, gs))
	return &fixture{Base: base, k: k, models: mk, community: community, mint: mint,
		msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k)}
}

func coin(amount int64) sdk.Coin { return sdk.NewInt64Coin(denom, amount) }

func spec() types.NodeSpec {
	return types.NodeSpec{CpuCores: 16, RamMib: 65_536, GpuModel: "L4", GpuCount: 1, VramMib: 24_576}
}

// registerMsg is a registration that passes every check: 20 GiB memory index serving
// "small" and "medium".
func registerMsg(operator sdk.AccAddress, id string) *types.MsgRegisterNode {
	return &types.MsgRegisterNode{
		Operator: operator.String(), NodeId: id, PoolId: 3, Stake: coin(minStake),
		Endpoint: "http://127.0.0.1:8081", Spec: spec(), MemoryIndexMib: 20_000, Models: []string{"small", "medium"},
	}
}

// register funds the operator with exactly the stake and registers the node.
func (f *fixture) register(t testing.TB, operator sdk.AccAddress, id string) types.Node {
	t.Helper()
	f.Fund(t, operator, sdk.NewCoins(coin(minStake)))
	_, err := f.msg.RegisterNode(f.Ctx, registerMsg(operator, id))
	require.NoError(t, err)
	n, err := f.k.GetNode(f.Ctx, id)
	require.NoError(t, err)
	return n
}

// atHeight moves the context to a block height.
func (f *fixture) atHeight(h int64) { f.Ctx = f.Ctx.WithBlockHeight(h) }

// heartbeat sends a heartbeat from the node's key (the operator unless set otherwise).
func (f *fixture) heartbeat(t testing.TB, from sdk.AccAddress, id string, loaded ...string) error {
	t.Helper()
	_, err := f.msg.Heartbeat(f.Ctx, &types.MsgHeartbeat{NodeAddress: from.String(), NodeId: id, LoadedModels: loaded})
	return err
}

// endPeriod closes the open period at the current height and runs EndBlock until the
// settlement is finished (each run at the next height), as blocks would.
func (f *fixture) endPeriod(t testing.TB) {
	t.Helper()
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, "minute", 0))
	for i := 0; ; i++ {
		require.NoError(t, f.k.EndBlocker(f.Ctx))
		open := 0
		require.NoError(t, f.k.Settlements.Walk(f.Ctx, nil, func(uint64, types.Settlement) (bool, error) { open++; return false, nil }))
		if open == 0 {
			return
		}
		require.Less(t, i, 100_000, "settlement does not finish")
		f.atHeight(f.Ctx.BlockHeight() + 1)
	}
}

func (f *fixture) moduleBalance(name string) int64 {
	return f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(name), denom).Amount.Int64()
}

// fundPool puts amount into the rewards pool through the message.
func (f *fixture) fundPool(t testing.TB, amount int64) {
	t.Helper()
	funder := keepers.NewAddr("funder")
	f.Fund(t, funder, sdk.NewCoins(coin(amount)))
	_, err := f.msg.FundRewardsPool(f.Ctx, &types.MsgFundRewardsPool{Sender: funder.String(), Amount: coin(amount)})
	require.NoError(t, err)
}

// snapshot captures everything a message could change: the exported module state and
// the balances of the actors and module accounts.
type snapshot struct {
	state    *types.GenesisState
	balances []sdk.Coin
}

func (f *fixture) snapshot(t testing.TB) snapshot {
	t.Helper()
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	var bals []sdk.Coin
	for _, a := range []sdk.AccAddress{op1, op2, stranger, nodeKey1} {
		bals = append(bals, f.Balance(a, denom))
	}
	for _, m := range []string{types.ModuleName, types.RewardsPoolName, distrtypes.ModuleName} {
		bals = append(bals, f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(m), denom))
	}
	return snapshot{state: gs, balances: bals}
}

func (f *fixture) checkInvariants(t testing.TB) {
	t.Helper()
	msg, broken := keeper.AllInvariants(f.k)(f.Ctx)
	require.False(t, broken, msg)
}

func (f *fixture) hasEvent(typ string) bool {
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type == typ {
			return true
		}
	}
	return false
}

func decStr(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

func nodeID(i int) string { return fmt.Sprintf("node-%05d", i) }

func joinQueue(h int64, id string) collections.Pair[int64, string] { return collections.Join(h, id) }
