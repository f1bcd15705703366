package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/models/types"
)

func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 300_000_000)))
	for _, id := range []string{"b", "a", "c"} {
		_, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, id))
		require.NoError(t, err)
	}
	_, err := f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: alice.String(), Id: "c"})
	require.NoError(t, err)

	exported, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	require.Len(t, exported.Models, 3)

	g := newFixture(t)
	require.NoError(t, g.k.InitGenesis(g.Ctx, exported))
	again, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
}

func TestGenesisValidate(t *testing.T) {
	good := types.Model{
		Id: "m", Name: "n", Architecture: "gpt2", WeightsUri: "https://x/y", WeightsSha256: hexOf('1'),
		TokenizerSha256: hexOf('2'), EmbeddingDim: 8, MemoryMib: 1, Owner: alice.String(),
		Status: types.MODEL_STATUS_ACTIVE, Deposit: sdk.NewInt64Coin(denom, 10),
	}
	require.NoError(t, types.GenesisState{Params: types.DefaultParams(), Models: []types.Model{good}}.Validate())
	require.NoError(t, types.DefaultGenesis().Validate())
	bytesModel := good
	bytesModel.Id, bytesModel.Modality, bytesModel.TokenizerSha256 = "b", types.MODALITY_BYTES, types.ByteTokenizerSHA256
	require.NoError(t, types.GenesisState{Params: types.DefaultParams(), Models: []types.Model{good, bytesModel}}.Validate())

	cases := map[string]func(gs *types.GenesisState){
		"duplicate id":                  func(gs *types.GenesisState) { gs.Models = append(gs.Models, good) },
		"bad params":                    func(gs *types.GenesisState) { gs.Params.MaxEmbeddingDim = 0 },
		"unspecified status":            func(gs *types.GenesisState) { gs.Models[0].Status = types.MODEL_STATUS_UNSPECIFIED },
		"bad owner":                     func(gs *types.GenesisState) { gs.Models[0].Owner = "nope" },
		"retired with deposit":          func(gs *types.GenesisState) { gs.Models[0].Status = types.MODEL_STATUS_RETIRED },
		"bad sha":                       func(gs *types.GenesisState) { gs.Models[0].WeightsSha256 = "x" },
		"duplicate arch params":         func(gs *types.GenesisState) { gs.Params.AllowedArchitectures = []string{"a", "a"} },
		"bad deposit":                   func(gs *types.GenesisState) { gs.Models[0].Deposit = sdk.Coin{Denom: "U!", Amount: sdkmath.OneInt()} },
		"unknown modality":              func(gs *types.GenesisState) { gs.Models[0].Modality = 9 },
		"bytes, not the byte tokenizer": func(gs *types.GenesisState) { gs.Models[0].Modality = types.MODALITY_BYTES },
	}
	f := newFixture(t)
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			gs := types.GenesisState{Params: types.DefaultParams(), Models: []types.Model{good}}
			mutate(&gs)
			requireInitRejects(t, f, &gs)
		})
	}
}

// requireInitRejects: InitGenesis refuses a state that Validate (what `cortd genesis
// validate` runs) rejects, with the same error, and writes nothing.
func requireInitRejects(t *testing.T, f *fixture, gs *types.GenesisState) {
	t.Helper()
	want := gs.Validate()
	require.Error(t, want)
	before, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.EqualError(t, f.k.InitGenesis(f.Ctx, gs), want.Error())
	after, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, before, after, "a refused genesis writes nothing")
}
