package auditor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/miner"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// emptyAnswerTask finds a seed whose first draw on the fixture's m1 is the end token
// (about 1 in 50 on a random byte model at temperature 0.9) and returns that task with
// three honest nodes committed. The search is deterministic: same model, same seeds.
func emptyAnswerTask(t *testing.T, f *fixture, mode sessionstypes.VerificationMode) *sessionstypes.Task {
	t.Helper()
	for seed := uint64(1); seed <= 3000; seed++ {
		task := newTask(t, f, "Q", seeded(8, seed), mode)
		if task.Assignments[0].ResultText == "" {
			return task
		}
	}
	t.Fatal("no seed in 1..3000 draws the end token first on m1")
	return nil
}

// An empty completion (EOS drawn first) is committed with the protocol's fixed vector,
// and the auditor accepts it: before, the engine refused to embed empty text, so every
// honest node failed such a task.
func TestEmptyCompletionIsCommittedAndPassesAudit(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	for _, mode := range []sessionstypes.VerificationMode{sessionstypes.VERIFICATION_MODE_EMBEDDING, sessionstypes.VERIFICATION_MODE_EXACT} {
		t.Run(mode.String(), func(t *testing.T) {
			task := emptyAnswerTask(t, f, mode)
			as := task.Assignments[0]
			require.Equal(t, miner.EmptyResultEmbedding(task.EmbeddingDim), as.Embedding)
			require.NoError(t, sessionstypes.CheckEmbedding(as.Embedding, task.EmbeddingDim, p.NormTolerance))
			fd, err := CheckSessionTask(context.Background(), f.eng, task, p)
			require.NoError(t, err)
			require.False(t, fd.Fraud(), "%+v", fd)
		})
	}
}

// A node that answers nothing where the model would have answered is caught: the empty
// text with the fixed vector passes the embedding check by construction, so the replay
// (the end token was not the first draw) must fail it.
func TestEmptyAnswerInsteadOfACompletionIsCaught(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	task := newTask(t, f, "Tell me about the sea.", greedy(12), sessionstypes.VERIFICATION_MODE_EMBEDDING)
	require.NotEmpty(t, task.Assignments[0].ResultText)
	commit(task, 1, miner.Result{Text: "", Embedding: miner.EmptyResultEmbedding(task.EmbeddingDim)})
	fd, err := CheckSessionTask(context.Background(), f.eng, task, p)
	require.NoError(t, err)
	require.True(t, fd.Fraud(), "%+v", fd)
	require.Contains(t, fd.Failed, "n2")
	require.NotContains(t, fd.Failed, "n1")
	require.NotContains(t, fd.Failed, "n3")
}

func TestEmptyResultEmbedding(t *testing.T) {
	require.Nil(t, miner.EmptyResultEmbedding(0))
	v := miner.EmptyResultEmbedding(4)
	require.Equal(t, []int32{miner.EmbeddingScale, 0, 0, 0}, v)
	v[0] = 7 // a fresh slice each call: callers may keep and edit theirs
	require.Equal(t, int32(miner.EmbeddingScale), miner.EmptyResultEmbedding(4)[0])
}
