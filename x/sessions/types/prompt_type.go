package types

import errorsmod "cosmossdk.io/errors"

// PromptTypeEmbedding marks a task that asks for the embedding of its prompt (the
// router's /v1/embeddings) instead of a completion. Nodes skip the completion and
// commit the embedding of the prompt with the session's model; the result text is
// the prompt itself, so the precommit hash, the receipt (sha256 of the result text)
// and an audit that re-embeds committed texts work exactly as for completions.
// Validation is the usual one: embedding similarity among the redundant results.
const PromptTypeEmbedding = "embedding"

// The other prompt types the router and the CLI send: a plain completion of the prompt
// ("" is the CLI's default and means the same) and a chat transcript rendered with the
// model's template.
const (
	PromptTypeCompletion = "completion"
	PromptTypeChat       = "chat"
)

// ValidatePromptType accepts only the known prompt types: miners and auditors branch on
// the value, and anything else would be stored for nothing (and once took 64 bytes of
// free text into every task).
func ValidatePromptType(t string) error {
	switch t {
	case "", PromptTypeCompletion, PromptTypeChat, PromptTypeEmbedding:
		return nil
	}
	return errorsmod.Wrapf(ErrInvalidPrompt, "prompt_type %q is not one of %q, %q, %q (or empty)",
		truncate(t, 64), PromptTypeCompletion, PromptTypeChat, PromptTypeEmbedding)
}

// truncate keeps error messages short when the input is long.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// CheckEmbeddingResult checks a commit on an embedding task: the result text must be
// the task's prompt and no completion tokens may be claimed (there was no completion).
// Without it a node could pair an honest embedding with any text.
func CheckEmbeddingResult(prompt, resultText string, completionTokens uint64) error {
	if resultText != prompt {
		return errorsmod.Wrap(ErrInvalidResult, "an embedding task's result text must be its prompt")
	}
	if completionTokens != 0 {
		return errorsmod.Wrapf(ErrInvalidResult, "an embedding task has no completion tokens, got %d", completionTokens)
	}
	return nil
}
