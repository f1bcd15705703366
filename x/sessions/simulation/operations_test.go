package simulation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/simulation"
	"github.com/cortnet/cortd/x/sessions/types"
)

// A simulated node's answer is what the chain accepts in a commit: a normalised embedding
// of the task's dimension, a 32-byte salt, no more completion tokens than asked; the same
// task and node give the same answer (the commit reveals the precommitted hash), and about
// one node in ten dissents.
func TestNodeAnswer(t *testing.T) {
	p := types.DefaultParams()
	dissent := 0
	for id := uint64(1); id <= 200; id++ {
		task := types.Task{Id: id, EmbeddingDim: 8, Prompt: "hello", Sampling: types.SamplingParams{MaxTokens: 3}}
		a := simulation.NodeAnswer(task, "node-a")
		require.Equal(t, a, simulation.NodeAnswer(task, "node-a"))
		require.NoError(t, types.CheckEmbedding(a.Embedding, task.EmbeddingDim, p.NormTolerance))
		require.Len(t, a.Salt, 32)
		require.LessOrEqual(t, a.CompletionTokens, uint64(task.Sampling.MaxTokens))
		b := simulation.NodeAnswer(task, "node-b")
		require.NotEqual(t, a.Salt, b.Salt)
		if a.Text != simulation.NodeAnswer(task, "node-c").Text {
			dissent++
		}
	}
	require.Positive(t, dissent)
	require.Less(t, dissent, 60)
}
