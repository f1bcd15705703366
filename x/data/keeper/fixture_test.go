package keeper_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	coreheader "cosmossdk.io/core/header"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/audits"
	auditskeeper "github.com/cortnet/cortd/x/audits/keeper"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/data"
	"github.com/cortnet/cortd/x/data/keeper"
	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/models"
	modelskeeper "github.com/cortnet/cortd/x/models/keeper"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

const (
	denom = "ucor"
	epoch = "hour"
	dim   = 8
)

var (
	submitter = keepers.NewAddr("submitter")
	ownerA    = keepers.NewAddr("owner-a")
	ownerB    = keepers.NewAddr("owner-b")
)

// fixture is a real x/data keeper over real auth, bank, staking, x/models and x/audits
// keepers (audits routed to x/data's handler), with bonded validators v0.. and three
// models of dim 8 (m-a, m-b owned by ownerA, m-c by ownerB) plus one of dim 16.
type fixture struct {
	*keepers.StakingBase
	k         keeper.Keeper
	msg       types.MsgServer
	q         types.QueryServer
	audits    auditskeeper.Keeper
	auditsMsg auditstypes.MsgServer
	community *keepers.CommunityPool
	mint      *fakeMint
	modelsMsg modelstypes.MsgServer
	vals      []sdk.ValAddress
}

func newFixture(t testing.TB, mutate func(*types.Params), powers ...int64) *fixture {
	t.Helper()
	sb := keepers.NewStakingBase(t, map[string][]string{types.ModuleName: nil, distrtypes.ModuleName: nil, modelstypes.ModuleName: nil, authtypes.FeeCollectorName: nil},
		[]string{types.StoreKey, auditstypes.StoreKey, modelstypes.StoreKey, epochstypes.StoreKey}, data.AppModule{}, audits.AppModule{}, models.AppModule{})
	mk := modelskeeper.NewKeeper(sb.Cdc, sb.StoreService(modelstypes.StoreKey), sb.Bank, sb.Authority)
	require.NoError(t, mk.InitGenesis(sb.Ctx, modelstypes.DefaultGenesis()))
	ak := auditskeeper.NewKeeper(sb.Cdc, sb.StoreService(auditstypes.StoreKey), sb.Staking, sb.Authority)
	community := &keepers.CommunityPool{Bank: sb.Bank}
	mint := &fakeMint{}
	k := keeper.NewKeeper(sb.Cdc, sb.StoreService(types.StoreKey), sb.Bank, sb.Account, mk, ak, community, mint, authtypes.FeeCollectorName, sb.Authority)
	ak.SetRouter(auditstypes.NewRouter().AddRoute(types.ModuleName, k.AuditHandler()))
	ags := auditstypes.DefaultGenesis()
	ags.Params.AuditDeadlineBlocks, ags.Params.VotingWindowBlocks = 10, 10
	require.NoError(t, ak.InitGenesis(sb.Ctx, ags))

	gs := types.DefaultGenesis()
	gs.Params.EmbeddingDim, gs.Params.TargetsPerEpoch, gs.Params.ModelsPerTarget = dim, 2, 2
	gs.Params.RewardPerTarget = sdkmath.NewInt(1000)
	gs.Params.MaxDataBytes = 10_000
	if mutate != nil {
		mutate(&gs.Params)
	}
	gs.Epoch.Threshold = gs.Params.InitialThreshold
	require.NoError(t, gs.Validate())
	require.NoError(t, k.InitGenesis(sb.Ctx, gs))

	f := &fixture{StakingBase: sb, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k),
		audits: ak, auditsMsg: auditskeeper.NewMsgServerImpl(ak), community: community, mint: mint}
	mm := modelskeeper.NewMsgServerImpl(mk)
	f.modelsMsg = mm
	for _, m := range []struct {
		id    string
		dim   uint32
		owner sdk.AccAddress
	}{{"m-a", dim, ownerA}, {"m-b", dim, ownerA}, {"m-c", dim, ownerB}, {"m-wide", 16, ownerB}} {
		_, err := mm.RegisterModel(sb.Ctx, &modelstypes.MsgRegisterModel{
			Sender: sb.Authority, Id: m.id, Name: m.id, Architecture: "gpt2", WeightsUri: "hf://test/" + m.id,
			WeightsSha256: hex.EncodeToString(make([]byte, 32)), TokenizerSha256: hex.EncodeToString(make([]byte, 32)),
			EmbeddingDim: m.dim, MemoryMib: 100, Owner: m.owner.String(),
		})
		require.NoError(t, err)
	}
	if len(powers) > 0 {
		f.vals = sb.CreateBondedValidators(t, powers...)
	}
	// A block hash so seeds are not those of the empty hash.
	f.Ctx = f.Ctx.WithHeaderInfo(coreheader.Info{Height: f.Ctx.BlockHeight(), Hash: []byte("block-1-hash")})
	require.NoError(t, k.EndBlocker(f.Ctx))
	require.NoError(t, ak.BeginBlocker(f.Ctx))
	funder := keepers.NewAddr("funder")
	f.Fund(t, funder, sdk.NewCoins(sdk.NewInt64Coin(denom, 100_000)))
	_, err := f.msg.FundPool(f.Ctx, &types.MsgFundPool{Funder: funder.String(), Amount: sdkmath.NewInt(100_000)})
	require.NoError(t, err)
	f.Fund(t, submitter, sdk.NewCoins(sdk.NewInt64Coin(denom, 1_000_000)))
	return f
}

func (f *fixture) startEpoch(t testing.TB, n int64) {
	t.Helper()
	require.NoError(t, f.k.Hooks().BeforeEpochStart(f.Ctx, epoch, n))
}

func (f *fixture) endEpoch(t testing.TB, n int64) {
	t.Helper()
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.Ctx, epoch, n))
}

func (f *fixture) target(t testing.TB, id uint64) types.Target {
	t.Helper()
	tg, err := f.k.GetTarget(f.Ctx, id)
	require.NoError(t, err)
	return tg
}

func (f *fixture) invariant(t testing.TB) {
	t.Helper()
	msg, broken := keeper.FundsInvariant(f.k)(f.Ctx)
	require.False(t, broken, msg)
}

// nextBlock advances the height and runs audits' begin and end block.
func (f *fixture) nextBlock(t testing.TB) {
	t.Helper()
	h := f.Ctx.BlockHeight() + 1
	f.Ctx = f.Ctx.WithBlockHeight(h).WithHeaderInfo(coreheader.Info{Height: h, Hash: []byte{byte(h), 0xda, 0x7a}})
	require.NoError(t, f.audits.BeginBlocker(f.Ctx))
	require.NoError(t, f.audits.EndBlocker(f.Ctx))
	require.NoError(t, f.k.EndBlocker(f.Ctx))
}

var dataSum = sha256.Sum256([]byte("some text data"))

// validMsg is a submission that passes every check on target id: the centre itself as
// embedding (distance 0), losses with the first assigned model lowest, bond exact.
func (f *fixture) validMsg(t testing.TB, id uint64) *types.MsgSubmitData {
	t.Helper()
	tg := f.target(t, id)
	losses := make([]types.ModelLoss, len(tg.Models))
	for i, m := range tg.Models {
		losses[i] = types.ModelLoss{ModelId: m, Loss: sdkmath.LegacyNewDec(int64(2 + i))}
	}
	return &types.MsgSubmitData{
		Submitter: submitter.String(), TargetId: id, Url: "https://example.org/data.txt",
		Sha256: hex.EncodeToString(dataSum[:]), SizeBytes: 1000, ModelId: tg.Models[0], Losses: losses,
		Embedding: append([]int32(nil), tg.Centre...), DistanceSq: 0, Bond: sdkmath.NewInt(1000),
	}
}

// snapshot is everything a rejected message could change.
type snapshot struct {
	state     *types.GenesisState
	submitter sdk.Coin
	module    sdk.Coin
	toAudit   []uint64
	open      []uint64
}

func (f *fixture) snapshot(t testing.TB) snapshot {
	t.Helper()
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	s := snapshot{state: gs, submitter: f.Balance(submitter, denom), module: f.Balance(f.k.ModuleAddress(), denom)}
	require.NoError(t, f.k.ToAudit.Walk(f.Ctx, nil, func(id uint64) (bool, error) { s.toAudit = append(s.toAudit, id); return false, nil }))
	require.NoError(t, f.k.OpenTargets.Walk(f.Ctx, nil, func(id uint64) (bool, error) { s.open = append(s.open, id); return false, nil }))
	return s
}

// fakeMint reports a fixed block provision.
type fakeMint struct{ provision sdk.Coin }

func (m *fakeMint) BlockProvision(context.Context) (sdk.Coin, error) { return m.provision, nil }
