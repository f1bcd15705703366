// Package engine defines the inference interface the sidecar's roles use.
// Backends: native (pure Go, deterministic, the audit reference) and openai
// (any OpenAI-compatible server).
package engine

import (
	"context"
	"errors"
)

// Params controls a completion. Temperature 0 means greedy decoding, which
// is what audits re-run; Seed makes sampled output reproducible.
type Params struct {
	MaxTokens   int      `json:"max_tokens"`
	Temperature float64  `json:"temperature"`
	TopP        float64  `json:"top_p"` // 0 or 1: no nucleus cut
	TopK        int      `json:"top_k"` // 0: no top-k cut
	Seed        uint64   `json:"seed"`
	Stop        []string `json:"stop"`
	// RenderedPrompt: the prompt is a rendered chat template (prompt_type
	// "chat"), which holds its own BOS; the tokenizer adds no special tokens.
	RenderedPrompt bool `json:"rendered_prompt,omitempty"`
}

// Usage counts tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Completion is a finished completion. FinishReason is "stop" (end of text
// or a stop sequence) or "length" (max tokens or the context ran out).
type Completion struct {
	Text         string `json:"text"`
	FinishReason string `json:"finish_reason"`
	Usage        Usage  `json:"usage"`
}

// LossResult is the mean negative log-likelihood (nats per token) of a text
// under the model, over Tokens predicted tokens (all but the first).
type LossResult struct {
	Loss   float64 `json:"loss"`
	Tokens int     `json:"tokens"`
}

// Replay is the verdict of re-running a claimed answer under the model
// (teacher forcing): whether the answer is what this engine's
// deterministic sampler draws with the same params, and how plausible each
// token is for answers from non-deterministic backends.
type Replay struct {
	Tokens      int     `json:"tokens"`           // answer tokens replayed (the segmentation accepted)
	Exact       bool    `json:"exact"`            // every token, and the end, is what this engine's deterministic sampler draws with p (seed included)
	FirstDiff   int     `json:"first_diff"`       // index of the first answer token not reproduced exactly, -1 if none
	Plausible   int     `json:"plausible"`        // tokens inside the sampling set of p (greedy: within the tie tolerance of the max logit)
	Score       float64 `json:"score"`            // Plausible / Tokens in [0,1] (1 when Tokens == 0 and the end is right)
	MeanLogprob float64 `json:"mean_logprob"`     // mean log p(token) at temperature 1, for reports
	EndOK       bool    `json:"end_ok"`           // the answer ends as generation would: EOS drawn next (claimed completion tokens = Tokens+1) or Tokens reached MaxTokens/context
	Passes      int     `json:"passes"`           // forward passes used (1 unless the tokenization diverged)
	Reason      string  `json:"reason,omitempty"` // short reason when !Exact or !EndOK, for logs and fraud figures
}

// Replayer is implemented by engines that can replay (the native engine).
type Replayer interface {
	// Replay re-runs answer after prompt under model with p, given the
	// completion tokens the answer's producer claimed.
	Replay(ctx context.Context, model, prompt, answer string, completionTokens int, p Params) (Replay, error)
}

// ModelInfo describes a model a backend can serve.
type ModelInfo struct {
	ID     string `json:"id"`
	Loaded bool   `json:"loaded"`
	Bytes  int64  `json:"bytes"`
}

// Engine is implemented by every backend.
type Engine interface {
	// Complete generates text after prompt.
	Complete(ctx context.Context, model, prompt string, p Params) (Completion, error)
	// CompleteStream is Complete that calls emit with each piece of text as
	// it is generated; the pieces concatenate to the final Text.
	CompleteStream(ctx context.Context, model, prompt string, p Params, emit func(delta string) error) (Completion, error)
	// Embed returns one L2-normalised vector per text.
	Embed(ctx context.Context, model string, texts []string) ([][]float32, Usage, error)
	// Loss scores each text.
	Loss(ctx context.Context, model string, texts []string) ([]LossResult, error)
	// Models lists the models the backend knows.
	Models(ctx context.Context) ([]ModelInfo, error)
}

// Errors shared by backends (wrapped with details).
var (
	ErrUnknownModel   = errors.New("unknown model")
	ErrBadRequest     = errors.New("bad request")
	ErrNotSupported   = errors.New("not supported by this backend")
	ErrContextTooLong = errors.New("input exceeds the model's context")
	ErrOverloaded     = errors.New("engine overloaded")
)

// MeanLoss combines per-text results into the token-weighted mean.
func MeanLoss(rs []LossResult) LossResult {
	var sum float64
	var n int
	for _, r := range rs {
		sum += r.Loss * float64(r.Tokens)
		n += r.Tokens
	}
	if n == 0 {
		return LossResult{}
	}
	return LossResult{Loss: sum / float64(n), Tokens: n}
}
