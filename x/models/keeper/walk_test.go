package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/models/types"
)

func TestWalkModels(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"c", "a", "b"} {
		require.NoError(t, f.k.Models.Set(f.Ctx, id, types.Model{Id: id}))
	}
	walk := func(limit uint32, stopAt string) []string {
		var seen []string
		require.NoError(t, f.k.WalkModels(f.Ctx, limit, func(m types.Model) bool {
			seen = append(seen, m.Id)
			return m.Id == stopAt
		}))
		return seen
	}
	require.Equal(t, []string{"a", "b", "c"}, walk(10, ""), "id order")
	require.Equal(t, []string{"a", "b"}, walk(2, ""), "limit bounds the visits")
	require.Equal(t, []string{"a", "b"}, walk(10, "b"), "fn stops the walk")
}
