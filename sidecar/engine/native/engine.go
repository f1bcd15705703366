package native

import (
	"context"

	"github.com/cortnet/cortd/sidecar/engine"
)

// Engine is the native backend over a model manager.
type Engine struct{ M *Manager }

var _ engine.Engine = (*Engine)(nil)

// Complete implements engine.Engine.
func (e *Engine) Complete(ctx context.Context, model, prompt string, p engine.Params) (engine.Completion, error) {
	return e.CompleteStream(ctx, model, prompt, p, nil)
}

// CompleteStream implements engine.Engine.
func (e *Engine) CompleteStream(ctx context.Context, model, prompt string, p engine.Params, emit func(string) error) (engine.Completion, error) {
	m, err := e.M.Get(model)
	if err != nil {
		return engine.Completion{}, err
	}
	return m.Generate(ctx, prompt, p, emit)
}

// Embed implements engine.Engine. The texts, and those of concurrent
// requests for the same model, run in shared batches.
func (e *Engine) Embed(ctx context.Context, model string, texts []string) ([][]float32, engine.Usage, error) {
	m, err := e.M.Get(model)
	if err != nil {
		return nil, engine.Usage{}, err
	}
	var u engine.Usage
	ids := make([][]int, len(texts))
	for i, t := range texts {
		ids[i] = m.EncodePrompt(t)
		u.PromptTokens += len(ids[i])
	}
	out, err := m.EmbedBatch(ctx, ids)
	if err != nil {
		return nil, engine.Usage{}, err
	}
	u.TotalTokens = u.PromptTokens
	return out, u, nil
}

// Loss implements engine.Engine, batched like Embed.
func (e *Engine) Loss(ctx context.Context, model string, texts []string) ([]engine.LossResult, error) {
	m, err := e.M.Get(model)
	if err != nil {
		return nil, err
	}
	ids := make([][]int, len(texts))
	for i, t := range texts {
		ids[i] = m.EncodePrompt(t)
	}
	return m.LossBatch(ctx, ids)
}

// Models implements engine.Engine.
func (e *Engine) Models(ctx context.Context) ([]engine.ModelInfo, error) { return e.M.List() }

// PromptLogprobs returns the prompt's tokens (as text) and the log
// probability of each token after the first, for echo+logprobs requests.
func (e *Engine) PromptLogprobs(ctx context.Context, model, prompt string) ([]string, []float64, error) {
	m, err := e.M.Get(model)
	if err != nil {
		return nil, nil, err
	}
	ids := m.EncodePrompt(prompt)
	toks := make([]string, len(ids))
	for i, id := range ids {
		b, err := m.Tok.TokenBytes(id)
		if err != nil {
			return nil, nil, err
		}
		toks[i] = string(b)
	}
	lps, err := m.TokenLogprobs(ctx, ids)
	return toks, lps, err
}
