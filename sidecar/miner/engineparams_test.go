package miner

import (
	"context"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func TestEngineParams(t *testing.T) {
	s := sessionstypes.SamplingParams{MaxTokens: 16, Temperature: sdkmath.LegacyMustNewDecFromStr("0.7"),
		TopP: sdkmath.LegacyMustNewDecFromStr("0.9"), TopK: 40, Seed: 5}
	p, err := EngineParams(s, sessionstypes.PromptTypeCompletion)
	require.NoError(t, err)
	require.Equal(t, 16, p.MaxTokens)
	require.InDelta(t, 0.7, p.Temperature, 1e-12)
	require.InDelta(t, 0.9, p.TopP, 1e-12)
	require.Equal(t, 40, p.TopK)
	require.EqualValues(t, 5, p.Seed)
	require.False(t, p.RenderedPrompt)
	require.Empty(t, p.Stop, "tasks have no stop sequences")

	// A chat task's prompt is a rendered template: no special tokens added.
	p, err = EngineParams(s, sessionstypes.PromptTypeChat)
	require.NoError(t, err)
	require.True(t, p.RenderedPrompt)
	for _, pt := range []string{"", sessionstypes.PromptTypeEmbedding} {
		p, err = EngineParams(s, pt)
		require.NoError(t, err)
		require.False(t, p.RenderedPrompt, pt)
	}

	// Unset decimals (nil) mean defaults, not a panic.
	p, err = EngineParams(sessionstypes.SamplingParams{MaxTokens: 1}, "")
	require.NoError(t, err)
	require.Zero(t, p.Temperature)
	require.Zero(t, p.TopP)
}

// invalidUTF8Engine completes with a partial UTF-8 sequence, as a small model can.
type invalidUTF8Engine struct {
	fakeEngine
	params []engine.Params
}

func (e *invalidUTF8Engine) Complete(_ context.Context, _, _ string, p engine.Params) (engine.Completion, error) {
	e.params = append(e.params, p)
	return engine.Completion{Text: "a\xe2\x82b", Usage: engine.Usage{PromptTokens: 3, CompletionTokens: 5}}, nil
}

// Compute is the miner's own computation: the task's params reach the engine, the text is
// repaired before it is embedded and committed, and the counts are the engine's.
func TestCompute(t *testing.T) {
	e := &invalidUTF8Engine{fakeEngine: fakeEngine{vec: []float32{3, 4}}}
	task := &sessionstypes.Task{Id: 1, ModelId: "tiny", EmbeddingDim: 2, Prompt: "p", PromptType: sessionstypes.PromptTypeChat,
		Sampling: sessionstypes.SamplingParams{MaxTokens: 4, Seed: 9}}
	r, err := Compute(context.Background(), e, task)
	require.NoError(t, err)
	require.Equal(t, Result{Text: "a\uFFFDb", Embedding: []int32{600_000, 800_000}, PromptTokens: 3, CompletionTokens: 5}, r)
	require.Equal(t, []string{"a\uFFFDb"}, e.embedded)
	want, err := EngineParams(task.Sampling, task.PromptType)
	require.NoError(t, err)
	require.Equal(t, []engine.Params{want}, e.params)

	task.EmbeddingDim = 3 // the engine's vector does not fit the task
	_, err = Compute(context.Background(), e, task)
	require.ErrorContains(t, err, "3")
}
