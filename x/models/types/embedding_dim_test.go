package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/internal/embedding"
	"github.com/cortnet/cortd/x/models/types"
)

// max_embedding_dim may not exceed the dimension the validating modules accept: a model
// registered above it could never have a task validated.
func TestMaxEmbeddingDimHardLimit(t *testing.T) {
	require.Equal(t, embedding.MaxDim, types.MaxEmbeddingDimLimit)
	p := types.DefaultParams()
	p.MaxEmbeddingDim = embedding.MaxDim
	require.NoError(t, p.Validate())
	p.MaxEmbeddingDim = embedding.MaxDim + 1
	err := p.Validate()
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.ErrorContains(t, err, "max_embedding_dim 8193 is above 8192")
	p.MaxEmbeddingDim = ^uint32(0)
	require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)

	g := types.DefaultGenesis()
	g.Params.MaxEmbeddingDim = embedding.MaxDim + 1
	require.ErrorIs(t, g.Validate(), types.ErrInvalidParams, "a genesis above the limit is refused")
}
