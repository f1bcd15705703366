package keeper_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/types"
)

const embedInput = "The quick brown fox."

// embeddingSubmit is the router's /v1/embeddings task: max_tokens 1 (sampling is
// unused but must stay valid), temperature 0.
func embeddingSubmit(sessionID uint64, input string) *types.MsgSubmitTask {
	m := submitMsg(sessionID)
	m.Prompt, m.PromptType, m.MaxTokens = input, types.PromptTypeEmbedding, 1
	return m
}

// embRes is an embedding node's reveal: the input as text, no completion tokens.
func embRes(text string, emb ...int32) result {
	r := res(text, emb...)
	r.ct = 0
	return r
}

func TestEmbeddingTaskValidatedAndPaid(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	sr, err := f.msg.SubmitTask(f.Ctx, embeddingSubmit(sid, embedInput))
	require.NoError(t, err)
	id := sr.TaskId
	f.endBlock(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, task.Status)
	require.Equal(t, types.PromptTypeEmbedding, task.PromptType)
	nodes := assigned(task)

	// two agreeing embeddings and one far off (a wrong embedding of the same text)
	results := []result{embRes(embedInput, east...), embRes(embedInput, eastNorth...), embRes(embedInput, north...)}
	for i, n := range nodes {
		require.NoError(t, f.precommit(id, n, results[i]))
	}
	f.endBlock(t)
	for i, n := range nodes {
		require.NoError(t, f.commit(id, n, results[i]))
	}
	f.endBlock(t)
	f.checkInvariants(t)

	task = f.task(t, id)
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	require.Equal(t, nodes[1], task.ConsensusNode)
	require.Equal(t, embedInput, task.ResultText, "the receipted text is the input")
	sum := sha256.Sum256([]byte(embedInput))
	require.Equal(t, sum[:], task.ResultSha256)
	require.Equal(t, eastNorth, task.Assignments[1].Embedding, "the consensus embedding is on record")
	require.Equal(t, types.ASSIGNMENT_STATUS_REJECTED, task.Assignments[2].Status)
	require.Equal(t, 2*price, task.Paid.Int64())
}

// TestEmbeddingTaskCommitRejections: a reveal whose hash matches its precommit is still
// refused when it pairs the embedding with another text or claims completion tokens.
func TestEmbeddingTaskCommitRejections(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 1, 1_000)
	sr, err := f.msg.SubmitTask(f.Ctx, embeddingSubmit(sid, embedInput))
	require.NoError(t, err)
	id := sr.TaskId
	f.endBlock(t)
	nodes := assigned(f.task(t, id))
	otherText := embRes("Some other text.", east...)
	withTokens := embRes(embedInput, east...)
	withTokens.ct = 1
	require.NoError(t, f.precommit(id, nodes[0], otherText))
	require.NoError(t, f.precommit(id, nodes[1], withTokens))
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_COMMIT, f.task(t, id).Status)
	before := f.snapshot(t)

	require.ErrorIs(t, f.commit(id, nodes[0], otherText), types.ErrInvalidResult, "text is not the input")
	require.Equal(t, before, f.snapshot(t))
	require.ErrorIs(t, f.commit(id, nodes[1], withTokens), types.ErrInvalidResult, "completion tokens claimed")
	require.Equal(t, before, f.snapshot(t))
	// nothing honest was revealed: the commit window closes and the task fails unpaid
	f.Ctx = f.Ctx.WithBlockHeight(f.task(t, id).Deadline)
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_FAILED, f.task(t, id).Status)
	f.checkInvariants(t)
}

// TestEmbeddingInputLongerThanAResult: the result text of an embedding task is its
// input, so an input no commit could carry (> max_result_bytes) is refused at
// submission; the same prompt is fine for a completion.
func TestEmbeddingInputLongerThanAResult(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxResultBytes = 16 })
	sid := f.session(t, 1, 1, 1_000)
	long := strings.Repeat("x", 17)
	before := f.snapshot(t)
	_, err := f.msg.SubmitTask(f.Ctx, embeddingSubmit(sid, long))
	require.ErrorIs(t, err, types.ErrInvalidPrompt)
	require.Equal(t, before, f.snapshot(t))

	_, err = f.msg.SubmitTask(f.Ctx, embeddingSubmit(sid, strings.Repeat("x", 16)))
	require.NoError(t, err, "an input of max_result_bytes fits")
	m := submitMsg(sid)
	m.Prompt = long
	_, err = f.msg.SubmitTask(f.Ctx, m)
	require.NoError(t, err, "a completion prompt is bounded by max_prompt_bytes only")
}
