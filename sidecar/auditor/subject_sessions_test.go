package auditor

import (
	"context"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/miner"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// sessionTask builds a greedy task whose nodes committed what the fixture's model
// really outputs (honest), and lets each test spoil one node.
func sessionTask(t *testing.T, f *fixture) (*sessionstypes.Task, string) {
	t.Helper()
	ctx := context.Background()
	task := &sessionstypes.Task{Id: 9, ModelId: "m1", EmbeddingDim: 64, Prompt: "Once upon a time",
		Sampling: sessionstypes.SamplingParams{MaxTokens: 12, Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec()}}
	sp, err := miner.EngineParams(task.Sampling, task.PromptType)
	require.NoError(t, err)
	c, err := f.eng.Complete(ctx, "m1", task.Prompt, sp)
	require.NoError(t, err)
	emb := embedText(t, f, c.Text)
	for _, n := range []string{"n1", "n2", "n3"} {
		task.Assignments = append(task.Assignments, sessionstypes.Assignment{NodeId: n,
			Status: sessionstypes.ASSIGNMENT_STATUS_VALIDATED, ResultText: c.Text, Embedding: emb})
	}
	return task, c.Text
}

func embedText(t *testing.T, f *fixture, text string) []int32 {
	t.Helper()
	vs, _, err := f.eng.Embed(context.Background(), "m1", []string{text})
	require.NoError(t, err)
	e, err := miner.Quantize(vs[0])
	require.NoError(t, err)
	return e
}

func TestCheckSessionTask(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	ctx := context.Background()
	s := SessionSubject{}

	t.Run("honest nodes pass", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		fd, err := CheckSessionTask(ctx, f.eng, task, p)
		require.NoError(t, err)
		require.Nil(t, fd)
	})
	t.Run("a wrong embedding fails the embedding check and names only that node", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		wrong, err := miner.WrongEmbedding(task.Assignments[1].Embedding, task.Id)
		require.NoError(t, err)
		task.Assignments[1].Embedding = wrong
		// An unpaid node is not judged, whatever it committed.
		task.Assignments[2].Status = sessionstypes.ASSIGNMENT_STATUS_REJECTED
		task.Assignments[2].Embedding = wrong
		fd, err := CheckSessionTask(ctx, f.eng, task, p)
		require.NoError(t, err)
		require.NotNil(t, fd)
		require.Equal(t, sessionstypes.AuditCheckEmbedding, fd.Check)
		require.Equal(t, map[string]string{"n2": sessionstypes.AuditCheckEmbedding}, fd.Failed)
		require.Len(t, fd.Figures, 1)
		require.Equal(t, sessionstypes.FraudFigureName("n2"), fd.Figures[0].Name)
		require.Equal(t, []string{"n2"}, sessionstypes.ParseFraudFigures(fd.Figures))

		report := &auditstypes.FraudReport{FailedCheck: fd.Check, Figures: fd.Figures}
		require.True(t, s.Confirms(report, fd))
		// A report naming an honest node too, or the wrong check, or nobody, is voted down.
		bad := &auditstypes.FraudReport{Figures: append(append([]auditstypes.Figure{}, fd.Figures...),
			auditstypes.Figure{Name: "node:n1", Value: "embedding:0.300000"})}
		require.False(t, s.Confirms(bad, fd))
		require.False(t, s.Confirms(&auditstypes.FraudReport{Figures: []auditstypes.Figure{{Name: "node:n2", Value: "output:0.9"}}}, fd))
		require.False(t, s.Confirms(&auditstypes.FraudReport{Figures: []auditstypes.Figure{{Name: "note", Value: "x"}}}, fd))
		require.False(t, s.Confirms(report, nil))
	})
	t.Run("a different output with its own embedding fails the output check", func(t *testing.T) {
		task, honest := sessionTask(t, f)
		other := "zzzz qqqq xxxx " + honest + " 0000 1111"
		task.Assignments[0].ResultText = other
		task.Assignments[0].Embedding = embedText(t, f, other)
		tight := p
		tight.AuditOutputTolerance = sdkmath.LegacyNewDecWithPrec(1, 6)
		fd, err := CheckSessionTask(ctx, f.eng, task, tight)
		require.NoError(t, err)
		require.NotNil(t, fd)
		require.Equal(t, sessionstypes.AuditCheckOutput, fd.Check)
		require.Equal(t, map[string]string{"n1": sessionstypes.AuditCheckOutput}, fd.Failed)
	})
	t.Run("sampled tasks get no output check", func(t *testing.T) {
		task, honest := sessionTask(t, f)
		task.Sampling.Temperature = sdkmath.LegacyNewDecWithPrec(7, 1)
		other := "zzzz " + honest
		task.Assignments[0].ResultText = other
		task.Assignments[0].Embedding = embedText(t, f, other)
		tight := p
		tight.AuditOutputTolerance = sdkmath.LegacyNewDecWithPrec(1, 6)
		fd, err := CheckSessionTask(ctx, f.eng, task, tight)
		require.NoError(t, err)
		require.Nil(t, fd)
	})
	t.Run("embedding tasks embed the prompt", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		task.PromptType = sessionstypes.PromptTypeEmbedding
		for i := range task.Assignments {
			task.Assignments[i].ResultText = task.Prompt
			task.Assignments[i].Embedding = embedText(t, f, task.Prompt)
		}
		fd, err := CheckSessionTask(ctx, f.eng, task, p)
		require.NoError(t, err)
		require.Nil(t, fd)
	})
	t.Run("unreadable tasks are not judged", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		task.Pruned = true
		_, err := CheckSessionTask(ctx, f.eng, task, p)
		require.Error(t, err)
		task, _ = sessionTask(t, f)
		task.Assignments[0].Embedding = nil
		_, err = CheckSessionTask(ctx, f.eng, task, p)
		require.Error(t, err)
		task, _ = sessionTask(t, f)
		task.ModelId = "absent"
		_, err = CheckSessionTask(ctx, f.eng, task, p)
		require.ErrorIs(t, err, engine.ErrUnknownModel)
	})
}
