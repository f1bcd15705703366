package tokenizer

import (
	"encoding/json"
)

// ByteLevelJSON returns a tokenizer.json for the plain byte-level tokenizer:
// id b is byte b, and id 256 is <|endoftext|>.
func ByteLevelJSON() ([]byte, error) {
	vocab := make(map[string]int, 256)
	for b := 0; b < 256; b++ {
		vocab[ByteSymbol(byte(b))] = b
	}
	return buildJSON(vocab, nil, 256)
}

// BPEJSON builds a GPT-2 style tokenizer.json from a vocabulary (as in
// GPT-2's encoder.json) and ordered merges ("a b" pairs, as in vocab.bpe).
// The end-of-text token keeps the id it has in vocab.
func BPEJSON(vocab map[string]int, merges []string) ([]byte, error) {
	eos := -1
	if id, ok := vocab["<|endoftext|>"]; ok {
		eos = id
		v := make(map[string]int, len(vocab))
		for k, id := range vocab {
			if k != "<|endoftext|>" {
				v[k] = id
			}
		}
		vocab = v
	}
	return buildJSON(vocab, merges, eos)
}

func buildJSON(vocab map[string]int, merges []string, eos int) ([]byte, error) {
	if merges == nil {
		merges = []string{}
	}
	type added struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	}
	doc := map[string]any{
		"version":        "1.0",
		"pre_tokenizer":  map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
		"decoder":        map[string]any{"type": "ByteLevel"},
		"post_processor": nil,
		"model":          map[string]any{"type": "BPE", "vocab": vocab, "merges": merges},
		"added_tokens":   []added{},
	}
	if eos >= 0 {
		doc["added_tokens"] = []added{{ID: eos, Content: "<|endoftext|>", Special: true}}
	}
	return json.Marshal(doc)
}
