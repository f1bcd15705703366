package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/models/types"
)

// Governance cannot raise max_embedding_dim above the hard limit (x/internal/embedding's
// MaxDim): the update is refused and nothing changes; the limit itself is accepted.
func TestUpdateParamsMaxEmbeddingDimLimit(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot(t)

	over := types.DefaultParams()
	over.RegistrationDeposit = before.state.Params.RegistrationDeposit
	over.MaxEmbeddingDim = types.MaxEmbeddingDimLimit + 1
	_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: over})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.Equal(t, before, f.snapshot(t), "a refused update changes no state")

	at := over
	at.MaxEmbeddingDim = types.MaxEmbeddingDimLimit
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: at})
	require.NoError(t, err)
	res, err := f.q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, uint32(types.MaxEmbeddingDimLimit), res.Params.MaxEmbeddingDim)
}
