package miner

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// paramsEngine records the params of each completion.
type paramsEngine struct {
	fakeEngine
	params []engine.Params
}

func (p *paramsEngine) Complete(_ context.Context, _, _ string, ps engine.Params) (engine.Completion, error) {
	p.params = append(p.params, ps)
	return engine.Completion{Text: "x", Usage: engine.Usage{CompletionTokens: 1}}, nil
}

// A chat task's prompt is the rendered chat template (it holds its BOS): the
// engine is told not to add special tokens; a completion's prompt is raw.
func TestChatTasksAreRenderedPrompts(t *testing.T) {
	pe := &paramsEngine{fakeEngine: fakeEngine{vec: []float32{3, 4}}}
	m := &Miner{e: pe}
	for _, pt := range []string{sessionstypes.PromptTypeChat, sessionstypes.PromptTypeCompletion} {
		_, err := m.compute(context.Background(), &sessionstypes.Task{Id: 1, ModelId: "tiny", EmbeddingDim: 2, Prompt: "p", PromptType: pt,
			Sampling: sessionstypes.SamplingParams{MaxTokens: 4}})
		require.NoError(t, err)
	}
	require.Len(t, pe.params, 2)
	require.True(t, pe.params[0].RenderedPrompt, "chat")
	require.False(t, pe.params[1].RenderedPrompt, "completion")
}
