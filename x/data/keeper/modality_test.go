package keeper_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// registerBytesModels adds bytes models (the byte tokenizer) of the target dim, owned by
// ownerB, next to the fixture's text models m-a, m-b, m-c.
func (f *fixture) registerBytesModels(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		_, err := f.modelsMsg.RegisterModel(f.Ctx, &modelstypes.MsgRegisterModel{
			Sender: f.Authority, Id: id, Name: id, Architecture: "gpt2", WeightsUri: "hf://test/" + id,
			WeightsSha256: hex.EncodeToString(make([]byte, 32)), TokenizerSha256: modelstypes.ByteTokenizerSHA256,
			EmbeddingDim: dim, MemoryMib: 100, Owner: ownerB.String(), Modality: modelstypes.MODALITY_BYTES,
		})
		require.NoError(t, err)
	}
}

// targetOpenedModalities reads the modality of every EventTargetOpened emitted so far, by
// target id (both as the event's JSON values).
func targetOpenedModalities(t *testing.T, f *fixture) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type != "cortd.data.v1.EventTargetOpened" {
			continue
		}
		var id, mod string
		for _, a := range ev.Attributes {
			switch a.Key {
			case "target_id":
				id = a.Value
			case "modality":
				mod = a.Value
			}
		}
		out[id] = mod
	}
	return out
}

// TestBytesTargetsDrawBytesModelsOnly: of targets_per_epoch targets, the last
// bytes_targets_per_epoch take bytes and get bytes models only; the text targets draw
// among every eligible model, bytes models included (they accept text).
func TestBytesTargetsDrawBytesModelsOnly(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.TargetsPerEpoch, p.BytesTargetsPerEpoch, p.ModelsPerTarget = 6, 2, 3 }, 1, 1, 1)
	f.registerBytesModels(t, "b-1", "b-2")
	f.startEpoch(t, 1)
	es, err := f.k.Epoch.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint32(6), es.Opened)
	require.Equal(t, []string{"b-1", "b-2", "m-a", "m-b", "m-c"}, es.EligibleModels)
	bytesModel := map[string]bool{"b-1": true, "b-2": true}
	sawBytesOnText := false
	for id := uint64(1); id <= 6; id++ {
		tg := f.target(t, id)
		if id <= 4 {
			require.Equal(t, modelstypes.MODALITY_TEXT, tg.Modality, "target %d", id)
			require.Len(t, tg.Models, 3)
			for _, m := range tg.Models {
				sawBytesOnText = sawBytesOnText || bytesModel[m]
			}
			continue
		}
		require.Equal(t, modelstypes.MODALITY_BYTES, tg.Modality, "target %d", id)
		// Only two bytes models exist: min(models_per_target, accepting models).
		require.ElementsMatch(t, []string{"b-1", "b-2"}, tg.Models, "target %d", id)
	}
	require.True(t, sawBytesOnText, "text targets draw bytes models too (over 4 targets of 3 of 5 models)")
	mods := targetOpenedModalities(t, f)
	require.Equal(t, `"MODALITY_TEXT"`, mods[`"1"`]) // typed events carry JSON values
	require.Equal(t, `"MODALITY_BYTES"`, mods[`"6"`])
}

// TestBytesTargetsNeedABytesModel: with no bytes model registered, the bytes targets are
// not opened (logged, the hook does not fail) and the text targets open as before.
func TestBytesTargetsNeedABytesModel(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.TargetsPerEpoch, p.BytesTargetsPerEpoch = 3, 2 }, 1, 1, 1)
	f.startEpoch(t, 1)
	es, err := f.k.Epoch.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint32(1), es.Opened, "one text target, no bytes target")
	require.Equal(t, modelstypes.MODALITY_TEXT, f.target(t, 1).Modality)
	_, err = f.k.GetTarget(f.Ctx, 2)
	require.ErrorIs(t, err, types.ErrTargetNotFound)

	// A retired bytes model is skipped at the draw as well.
	g := newFixture(t, func(p *types.Params) { p.TargetsPerEpoch, p.BytesTargetsPerEpoch = 1, 1 }, 1, 1, 1)
	g.registerBytesModels(t, "b-1")
	g.Ctx = g.Ctx.WithEventManager(sdk.NewEventManager())
	require.NoError(t, g.k.StartEpoch(g.Ctx, 1)) // snapshot with b-1 active
	require.Equal(t, modelstypes.MODALITY_BYTES, g.target(t, 1).Modality)
	require.Equal(t, []string{"b-1"}, g.target(t, 1).Models)
	_, err = g.modelsMsg.RetireModel(g.Ctx, &modelstypes.MsgRetireModel{Sender: g.Authority, Id: "b-1"})
	require.NoError(t, err)
	_, err = g.msg.SubmitData(g.Ctx, g.validMsg(t, 1))
	require.NoError(t, err)
	_, err = g.k.GetTarget(g.Ctx, 2)
	require.ErrorIs(t, err, types.ErrTargetNotFound, "no replacement: the only bytes model was retired")
}

// TestAllTargetsBytes: bytes_targets_per_epoch = targets_per_epoch opens bytes targets only.
func TestAllTargetsBytes(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.TargetsPerEpoch, p.BytesTargetsPerEpoch = 2, 2 }, 1, 1, 1)
	f.registerBytesModels(t, "b-1")
	f.startEpoch(t, 1)
	for id := uint64(1); id <= 2; id++ {
		require.Equal(t, modelstypes.MODALITY_BYTES, f.target(t, id).Modality)
		require.Equal(t, []string{"b-1"}, f.target(t, id).Models)
	}
}

// TestReplacementKeepsTheModality: a filled target's replacement takes the same data.
func TestReplacementKeepsTheModality(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.TargetsPerEpoch, p.BytesTargetsPerEpoch, p.MaxReplacementsPerEpoch = 2, 1, 2
	}, 1, 1, 1)
	f.registerBytesModels(t, "b-1", "b-2")
	f.startEpoch(t, 1)
	require.Equal(t, modelstypes.MODALITY_TEXT, f.target(t, 1).Modality)
	require.Equal(t, modelstypes.MODALITY_BYTES, f.target(t, 2).Modality)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 2))
	require.NoError(t, err)
	r := f.target(t, 3)
	require.True(t, r.Replacement)
	require.Equal(t, modelstypes.MODALITY_BYTES, r.Modality)
	for _, m := range r.Models {
		require.Contains(t, []string{"b-1", "b-2"}, m)
	}
	_, err = f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	require.Equal(t, modelstypes.MODALITY_TEXT, f.target(t, 4).Modality)
	f.invariant(t)
}

// TestBytesTargetsParamRejected: bytes targets are part of targets_per_epoch; more is
// refused and changes nothing.
func TestBytesTargetsParamRejected(t *testing.T) {
	f := newFixture(t, nil)
	before := f.snapshot(t)
	p := types.DefaultParams()
	p.BytesTargetsPerEpoch = p.TargetsPerEpoch + 1
	_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.Equal(t, before, f.snapshot(t))
	p.BytesTargetsPerEpoch = p.TargetsPerEpoch
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.NoError(t, err)
}
