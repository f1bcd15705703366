package types

import errorsmod "cosmossdk.io/errors"

// PromptTypeEmbedding marks a task that asks for the embedding of its prompt (the
// router's /v1/embeddings) instead of a completion. Nodes skip the completion and
// commit the embedding of the prompt with the session's model; the result text is
// the prompt itself, so the precommit hash, the receipt (sha256 of the result text)
// and an audit that re-embeds committed texts work exactly as for completions.
// Validation is the usual one: embedding similarity among the redundant results.
const PromptTypeEmbedding = "embedding"

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
