package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/cortnet/cortd/x/models"
	"github.com/cortnet/cortd/x/models/keeper"
	"github.com/cortnet/cortd/x/models/types"
)

// v1Model is a record as a consensus version 1 binary stored it (no manifest_sha256).
func v1Model(id string, status types.ModelStatus) types.Model {
	return types.Model{
		Id: id, Name: "GPT-2 tiny", Architecture: "gpt2", WeightsUri: "file:///models/" + id + "/model.safetensors",
		WeightsSha256: hexOf('a'), TokenizerSha256: hexOf('b'), EmbeddingDim: 64, MemoryMib: 512,
		Owner: alice.String(), Status: status, Deposit: sdk.NewCoin(denom, sdkmath.ZeroInt()), RegisteredHeight: 3,
	}
}

func TestMigrate1to2(t *testing.T) {
	require.Equal(t, uint64(2), models.AppModule{}.ConsensusVersion())
	f := newFixture(t)
	want := []types.Model{v1Model("a", types.MODEL_STATUS_ACTIVE), v1Model("b", types.MODEL_STATUS_RETIRED)}
	want[1].RetiredHeight = 9
	for _, m := range want {
		require.NoError(t, f.k.Models.Set(f.Ctx, m.Id, m))
	}
	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(f.Ctx))
	for _, w := range want {
		got, err := f.k.GetModel(f.Ctx, w.Id)
		require.NoError(t, err)
		require.Equal(t, w, got, "a version 1 record keeps every field and its meaning (no manifest)")
		require.Empty(t, got.ManifestSha256)
	}
	// A migrated store accepts manifest registrations.
	msg := validMsg(sdk.MustAccAddressFromBech32(f.Authority), "c")
	msg.WeightsUri, msg.ManifestSha256 = "https://x/c/", hexOf('d')
	_, err := f.msg.RegisterModel(f.Ctx, msg)
	require.NoError(t, err)
}

func TestMigrate1to2Refuses(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m *types.Model)
		err    error
	}{
		{"invalid record", func(m *types.Model) { m.Status = types.MODEL_STATUS_UNSPECIFIED }, types.ErrInvalidGenesis},
		{"bad digest", func(m *types.Model) { m.WeightsSha256 = "xyz" }, types.ErrInvalidSha256},
		{"already has a manifest", func(m *types.Model) { m.ManifestSha256 = hexOf('c') }, types.ErrInvalidGenesis},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			good := v1Model("a", types.MODEL_STATUS_ACTIVE)
			bad := v1Model("z", types.MODEL_STATUS_ACTIVE)
			tc.mutate(&bad)
			require.NoError(t, f.k.Models.Set(f.Ctx, good.Id, good))
			require.NoError(t, f.k.Models.Set(f.Ctx, bad.Id, bad))
			before := f.snapshot(t)
			err := keeper.NewMigrator(f.k).Migrate1to2(f.Ctx)
			require.ErrorIs(t, err, tc.err)
			require.Contains(t, err.Error(), `"z"`, "the error names the record")
			require.Equal(t, before, f.snapshot(t), "nothing written")
		})
	}
}

// TestModuleRunsMigration: the module registers Migrate1to2, so an upgrade from version 1
// (RunMigrations with models at 1) runs it.
func TestModuleRunsMigration(t *testing.T) {
	f := newFixture(t)
	bad := v1Model("z", types.MODEL_STATUS_UNSPECIFIED) // the migration refuses it: proof it ran
	require.NoError(t, f.k.Models.Set(f.Ctx, bad.Id, bad))
	reg := codectypes.NewInterfaceRegistry()
	types.RegisterInterfaces(reg)
	msgRouter := baseapp.NewMsgServiceRouter()
	msgRouter.SetInterfaceRegistry(reg)
	queryRouter := baseapp.NewGRPCQueryRouter()
	queryRouter.SetInterfaceRegistry(reg)
	cfg := module.NewConfigurator(f.Cdc, msgRouter, queryRouter)
	am := models.NewAppModule(f.Cdc, f.k)
	am.RegisterServices(cfg)
	mm := module.NewManager(am)
	_, err := mm.RunMigrations(f.Ctx, cfg, module.VersionMap{types.ModuleName: 1})
	require.ErrorIs(t, err, types.ErrInvalidGenesis)

	require.NoError(t, f.k.Models.Remove(f.Ctx, "z"))
	good := v1Model("a", types.MODEL_STATUS_ACTIVE)
	require.NoError(t, f.k.Models.Set(f.Ctx, good.Id, good))
	vm, err := mm.RunMigrations(f.Ctx, cfg, module.VersionMap{types.ModuleName: 1})
	require.NoError(t, err)
	require.Equal(t, uint64(2), vm[types.ModuleName])
}
