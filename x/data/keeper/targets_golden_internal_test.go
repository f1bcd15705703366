package keeper

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// activeModels answers every id as an active model.
type activeModels struct{}

func (activeModels) GetModel(_ context.Context, id string) (modelstypes.Model, error) {
	return modelstypes.Model{Id: id, Status: modelstypes.MODEL_STATUS_ACTIVE}, nil
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
	got, err := Keeper{models: activeModels{}}.drawModels(context.Background(), seed, eligible, 3)
	require.NoError(t, err)
	require.Equal(t, []string{"m9", "m2", "m1"}, got)
	require.Equal(t, []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"}, eligible, "the eligible list is not modified")
}
