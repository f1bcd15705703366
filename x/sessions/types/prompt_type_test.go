package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/types"
)

func TestCheckEmbeddingResult(t *testing.T) {
	require.NoError(t, types.CheckEmbeddingResult("abc", "abc", 0))
	require.ErrorIs(t, types.CheckEmbeddingResult("abc", "abd", 0), types.ErrInvalidResult)
	require.ErrorIs(t, types.CheckEmbeddingResult("abc", "", 0), types.ErrInvalidResult)
	require.ErrorIs(t, types.CheckEmbeddingResult("abc", "abc", 1), types.ErrInvalidResult)
}
