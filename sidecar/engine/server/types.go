// Package server serves an engine over the OpenAI-compatible subset the
// sidecar needs (/v1/models, /v1/completions, /v1/chat/completions with
// streaming, /v1/embeddings) plus /v1/loss, so one sidecar can be another's
// backend and the openai client is tested against a real server.
package server

import (
	"encoding/json"
	"fmt"
)

// strList accepts a string or a list of strings, as OpenAI's prompt, input
// and stop fields do.
type strList []string

func (s *strList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings")
	}
	*s = many
	return nil
}

// CompletionRequest is the body of /v1/completions.
type CompletionRequest struct {
	Model       string   `json:"model"`
	Prompt      strList  `json:"prompt"`
	MaxTokens   *int     `json:"max_tokens"`
	Temperature *float64 `json:"temperature"`
	TopP        float64  `json:"top_p"`
	TopK        int      `json:"top_k"`
	Seed        uint64   `json:"seed"`
	Stop        strList  `json:"stop"`
	Stream      bool     `json:"stream"`
	Echo        bool     `json:"echo"`
	Logprobs    *int     `json:"logprobs"`
}

// ChatMessage is one chat turn.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest is the body of /v1/chat/completions.
type ChatRequest struct {
	Model       string        `json:"model"`
	Messages    []ChatMessage `json:"messages"`
	MaxTokens   *int          `json:"max_tokens"`
	Temperature *float64      `json:"temperature"`
	TopP        float64       `json:"top_p"`
	TopK        int           `json:"top_k"`
	Seed        uint64        `json:"seed"`
	Stop        strList       `json:"stop"`
	Stream      bool          `json:"stream"`
}

// EmbeddingRequest is the body of /v1/embeddings.
type EmbeddingRequest struct {
	Model string  `json:"model"`
	Input strList `json:"input"`
}

// LossRequest is the body of the /v1/loss extension.
type LossRequest struct {
	Model string  `json:"model"`
	Input strList `json:"input"`
}

// Logprobs is the OpenAI completions logprobs object (prompt part only).
type Logprobs struct {
	Tokens        []string   `json:"tokens"`
	TokenLogprobs []*float64 `json:"token_logprobs"`
}

// ChatPrompt renders messages as plain text for a base model: one
// "role: content" line per message, then "assistant:" for the reply.
func ChatPrompt(msgs []ChatMessage) string {
	var s string
	for _, m := range msgs {
		s += m.Role + ": " + m.Content + "\n"
	}
	return s + "assistant:"
}
