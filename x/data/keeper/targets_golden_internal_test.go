package keeper

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// activeModels answers every id as an active model: a bytes model when bytes names it,
// else a text one.
type activeModels struct{ bytes map[string]bool }

func (a activeModels) GetModel(_ context.Context, id string) (modelstypes.Model, error) {
	m := modelstypes.Model{Id: id, Status: modelstypes.MODEL_STATUS_ACTIVE}
	if a.bytes[id] {
		m.Modality = modelstypes.MODALITY_BYTES
	}
	return m, nil
}

func (activeModels) WalkModels(context.Context, uint32, func(modelstypes.Model) bool) error {
	return nil
}

// TestDrawModelsGolden pins which models a target gets from its seed (the "models"
// sub-seed and its stream): it is consensus, so the shared seed helper must reproduce it.
func TestDrawModelsGolden(t *testing.T) {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	eligible := []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"}
	for _, data := range []modelstypes.Modality{modelstypes.MODALITY_UNSPECIFIED, modelstypes.MODALITY_TEXT} {
		got, err := Keeper{models: activeModels{}}.drawModels(context.Background(), seed, eligible, 3, data)
		require.NoError(t, err)
		require.Equal(t, []string{"m9", "m2", "m1"}, got)
		require.Equal(t, []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"}, eligible, "the eligible list is not modified")
	}
	// Text targets take bytes models as well: the draw is the same whatever the models' kinds.
	mixed := activeModels{bytes: map[string]bool{"m1": true, "m4": true, "m9": true}}
	got, err := Keeper{models: mixed}.drawModels(context.Background(), seed, eligible, 3, modelstypes.MODALITY_TEXT)
	require.NoError(t, err)
	require.Equal(t, []string{"m9", "m2", "m1"}, got)
	// A bytes target skips the text models and keeps shuffling: the same seed, only bytes
	// models.
	got, err = Keeper{models: mixed}.drawModels(context.Background(), seed, eligible, 3, modelstypes.MODALITY_BYTES)
	require.NoError(t, err)
	require.Equal(t, []string{"m9", "m1", "m4"}, got)
	got, err = Keeper{models: mixed}.drawModels(context.Background(), seed, eligible, 2, modelstypes.MODALITY_BYTES)
	require.NoError(t, err)
	require.Equal(t, []string{"m9", "m1"}, got)
	// No bytes model: nothing to assign.
	got, err = Keeper{models: activeModels{}}.drawModels(context.Background(), seed, eligible, 3, modelstypes.MODALITY_BYTES)
	require.NoError(t, err)
	require.Empty(t, got)
}
