package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

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

// TestInitGenesisRefusesInvalid: every kind of state that GenesisState.Validate (what
// `cortd genesis validate` runs) rejects is refused by InitGenesis with the same error,
// naming the record, before anything is written.
func TestInitGenesisRefusesInvalid(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, b, _ := f.toEvaluating(t)
	_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(0, c.Id, map[string]uint32{a: 9_000, b: 1_000}))
	require.NoError(t, err)
	good, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, good.Validate())
	require.NotEmpty(t, good.Answers)
	evaluator := f.op(0).String()

	for name, tc := range map[string]struct {
		mutate func(*types.GenesisState)
		says   string
	}{
		"next id zero":                {func(g *types.GenesisState) { g.NextChallengeId = 0 }, "next_challenge_id"},
		"epoch zero":                  {func(g *types.GenesisState) { g.Epoch = 0 }, "epoch start at 1"},
		"duplicate challenge":         {func(g *types.GenesisState) { g.Challenges = append(g.Challenges, g.Challenges[0]) }, "challenge id 1 duplicate"},
		"id not below next":           {func(g *types.GenesisState) { g.NextChallengeId = 1 }, "challenge id 1"},
		"bad poster":                  {func(g *types.GenesisState) { g.Challenges[0].Poster = "nope" }, "challenge 1 poster"},
		"unspecified status":          {func(g *types.GenesisState) { g.Challenges[0].Status = types.CHALLENGE_STATUS_UNSPECIFIED }, "challenge 1 status"},
		"answer to unknown challenge": {func(g *types.GenesisState) { g.Answers[0].ChallengeId = 99 }, "answer 99/"},
		"duplicate answer":            {func(g *types.GenesisState) { g.Answers = append(g.Answers, g.Answers[0]) }, "answer 1/"},
		"submission to unknown challenge": {func(g *types.GenesisState) {
			g.Submissions = append(g.Submissions, types.ScoreSubmission{ChallengeId: 99, Evaluator: evaluator})
		}, "unknown challenge 99"},
		"bad evaluator": {func(g *types.GenesisState) {
			g.Submissions = append(g.Submissions, types.ScoreSubmission{ChallengeId: 1, Evaluator: "nope"})
		}, `submission to challenge 1 evaluator "nope"`},
		"bad evaluator record": {func(g *types.GenesisState) {
			g.EvaluatorRecords = append(g.EvaluatorRecords, types.EvaluatorRecord{Evaluator: "nope"})
		}, `evaluator record "nope"`},
		"bad opted-in node": {func(g *types.GenesisState) { g.OptedIn = append(g.OptedIn, "") }, `opted_in ""`},
		"bad post count poster": {func(g *types.GenesisState) {
			g.PostCounts = append(g.PostCounts, types.PostCount{Epoch: 1, Poster: "nope", Count: 1})
		}, `post count of epoch 1 poster "nope"`},
		"weight without decimals": {func(g *types.GenesisState) {
			g.Weights = append(g.Weights, types.Weight{Epoch: 1, NodeId: a})
		}, "weight 1/" + a},
		"close of the open epoch": {func(g *types.GenesisState) {
			g.EpochCloses = append(g.EpochCloses, types.EpochClose{Epoch: g.Epoch, First: 1, Phase: 1})
		}, "epoch close"},
		"zero pending reward": {func(g *types.GenesisState) {
			g.PendingRewards = append(g.PendingRewards, types.PendingReward{NodeId: a, Amount: sdkmath.ZeroInt()})
		}, "pending reward of " + `"` + a + `"`},
	} {
		t.Run(name, func(t *testing.T) {
			gs, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			tc.mutate(gs)
			want := gs.Validate()
			require.ErrorIs(t, want, types.ErrInvalidGenesis)
			require.ErrorContains(t, want, tc.says, "the error names the offending record")

			g := newFixture(t, 1)
			before, err := g.k.ExportGenesis(g.Ctx)
			require.NoError(t, err)
			require.EqualError(t, g.k.InitGenesis(g.Ctx, gs), want.Error())
			after, err := g.k.ExportGenesis(g.Ctx)
			require.NoError(t, err)
			require.Equal(t, before, after, "a refused genesis writes nothing")
		})
	}
}
