package tokenizer

import "errors"

// GGUFVocab is a tokenizer as GGUF's tokenizer.ggml.* metadata holds it.
type GGUFVocab struct {
	Model        string    // tokenizer.ggml.model: "gpt2" (byte-level BPE) or "llama" (SentencePiece)
	Pre          string    // tokenizer.ggml.pre: pre-tokenizer name ("gpt-2", "llama-bpe", "qwen2", "default", ...)
	Tokens       []string  // tokenizer.ggml.tokens
	Scores       []float32 // tokenizer.ggml.scores (SentencePiece; may be nil for gpt2)
	Types        []int32   // tokenizer.ggml.token_type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
	Merges       []string  // tokenizer.ggml.merges ("a b"), gpt2 model only
	BOS          int       // token ids; -1 when absent
	EOS          int
	UNK          int
	PAD          int
	SEP          int
	AddBOS       bool   // tokenizer.ggml.add_bos_token
	AddEOS       bool   // tokenizer.ggml.add_eos_token
	ChatTemplate string // tokenizer.chat_template
}

// FromGGUF builds a tokenizer from GGUF tokenizer metadata.
func FromGGUF(v *GGUFVocab) (*Tokenizer, error) {
	return nil, errors.New("tokenizer: FromGGUF not implemented yet")
}

// GGUF returns the tokenizer.ggml.* metadata llama.cpp's
// convert_hf_to_gguf.py would write for this tokenizer.
func (t *Tokenizer) GGUF() (*GGUFVocab, error) {
	return nil, errors.New("tokenizer: GGUF not implemented yet")
}
