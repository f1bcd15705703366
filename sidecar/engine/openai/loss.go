package openai

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/cortnet/cortd/sidecar/engine"
)

// ErrNoPromptLogprobs says the server cannot score prompts, so Loss is
// impossible with it.
var ErrNoPromptLogprobs = fmt.Errorf("%w: server returned no prompt log-probabilities (needs echo+logprobs on /v1/completions, or vLLM's prompt_logprobs)", engine.ErrNotSupported)

// Loss implements engine.Engine from prompt log-probabilities: first with
// OpenAI's echo + logprobs and max_tokens 0, then, if the server rejects
// that or returns none, with vLLM's prompt_logprobs.
func (c *Client) Loss(ctx context.Context, model string, texts []string) ([]engine.LossResult, error) {
	out := make([]engine.LossResult, len(texts))
	for i, t := range texts {
		lps, err := c.promptLogprobs(ctx, model, t)
		if err != nil {
			return nil, fmt.Errorf("text %d: %w", i, err)
		}
		if len(lps) == 0 {
			return nil, fmt.Errorf("text %d: %w: loss needs at least 2 tokens", i, engine.ErrBadRequest)
		}
		var sum float64
		for _, lp := range lps {
			sum -= lp
		}
		out[i] = engine.LossResult{Loss: sum / float64(len(lps)), Tokens: len(lps)}
	}
	c.served.mark(model)
	return out, nil
}

func (c *Client) promptLogprobs(ctx context.Context, model, text string) ([]float64, error) {
	var r completionResp
	err := c.postJSON(ctx, "/v1/completions", map[string]any{"model": model, "prompt": text, "max_tokens": 0, "echo": true, "logprobs": 0, "temperature": 0}, &r)
	if err == nil && len(r.Choices) > 0 && r.Choices[0].Logprobs != nil {
		var lps []float64
		for _, v := range r.Choices[0].Logprobs.TokenLogprobs {
			if v != nil { // the first token has no prediction
				lps = append(lps, *v)
			}
		}
		if len(lps) > 0 {
			return lps, nil
		}
	}
	if err != nil && !errors.Is(err, engine.ErrBadRequest) && !errors.Is(err, engine.ErrNotSupported) && !isStatus(err, 501) {
		return nil, err
	}
	// vLLM: prompt_logprobs gives, per prompt position, the logprob of the
	// actual token (plus top alternatives); max_tokens must be at least 1.
	var v completionResp
	err = c.postJSON(ctx, "/v1/completions", map[string]any{"model": model, "prompt": text, "max_tokens": 1, "prompt_logprobs": 0, "temperature": 0}, &v)
	if err == nil && len(v.Choices) > 0 && len(v.Choices[0].PromptLogprobs) > 0 {
		var lps []float64
		for _, pos := range v.Choices[0].PromptLogprobs {
			if pos == nil {
				continue
			}
			// With prompt_logprobs=0 each map holds only the actual token.
			best := math.Inf(-1)
			for _, e := range pos {
				best = math.Max(best, e.Logprob)
			}
			lps = append(lps, best)
		}
		return lps, nil
	}
	return nil, ErrNoPromptLogprobs
}

func isStatus(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == code
}

func sqrt(x float64) float64 { return math.Sqrt(x) }
