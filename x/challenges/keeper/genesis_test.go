package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	"github.com/cortnet/cortd/x/challenges/types"
)

func (f *fixture) queue(t testing.TB) []collections.Pair[int64, uint64] {
	t.Helper()
	var out []collections.Pair[int64, uint64]
	require.NoError(t, f.k.Queue.Walk(f.Ctx, nil, func(k collections.Pair[int64, uint64]) (bool, error) {
		out = append(out, k)
		return false, nil
	}))
	return out
}

// wipe deletes every key of the module store.
func (f *fixture) wipe() {
	st := f.Ctx.KVStore(f.Keys[types.StoreKey])
	it := st.Iterator(nil, nil)
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, it.Key())
	}
	it.Close()
	for _, k := range keys {
		st.Delete(k)
	}
}

// Export in the middle of a lifecycle (one challenge EVALUATING with scores, one
// INVITING), wipe, import: the same state and the same queue, and the lifecycle goes on.
func TestGenesisMidLifecycle(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, b, _ := f.toEvaluating(t)
	for i := 0; i < 2; i++ {
		_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(i, c.Id, map[string]uint32{a: 9_000, b: 1_000}))
		require.NoError(t, err)
	}
	m := f.postMsg()
	m.Poster = f.op(1).String()
	_, err := f.msg.PostChallenge(f.Ctx, m)
	require.NoError(t, err)

	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	queue := f.queue(t)
	f.wipe()
	require.NoError(t, f.k.InitGenesis(f.Ctx, gs))
	require.Equal(t, queue, f.queue(t))
	gs2, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, gs2)

	f.runTo(t, c.EvaluationEndHeight)
	require.Equal(t, types.CHALLENGE_STATUS_SCORED, f.challenge(t, c.Id).Status)
	require.Equal(t, types.CHALLENGE_STATUS_COMMIT, f.challenge(t, 2).Status)
}
