// Package tokenizer implements the byte-level BPE tokenizer of GPT-2 as
// stored in a Hugging Face tokenizer.json. A vocabulary of the 256 byte
// symbols with no merges is the plain byte-level tokenizer: one token per
// byte. Special (added) tokens decode to their text but are never produced
// from prompt text, so a prompt cannot inject an end-of-text marker.
package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// Tokenizer encodes text to token ids and back. It is safe for concurrent use.
type Tokenizer struct {
	vocab    []string // id -> symbol string (byte-level form)
	special  map[int]string
	byteIDs  [256]int32
	merges   map[[2]int32]merge
	eos      int
	cacheMu  sync.Mutex
	cache    map[string][]int32
	hasMerge bool
}

type merge struct{ rank, id int32 }

type fileJSON struct {
	Model struct {
		Type   string            `json:"type"`
		Vocab  map[string]int    `json:"vocab"`
		Merges []json.RawMessage `json:"merges"`
	} `json:"model"`
	PreTokenizer *struct {
		Type           string `json:"type"`
		AddPrefixSpace bool   `json:"add_prefix_space"`
	} `json:"pre_tokenizer"`
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	} `json:"added_tokens"`
}

// MaxVocab bounds the vocabulary so a hostile file cannot force a huge table.
const MaxVocab = 1 << 20

// Load reads a tokenizer.json file.
func Load(path string) (*Tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse builds a tokenizer from tokenizer.json bytes.
func Parse(b []byte) (*Tokenizer, error) {
	var f fileJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("tokenizer: bad JSON: %w", err)
	}
	if f.Model.Type != "BPE" {
		return nil, fmt.Errorf("tokenizer: model type %q not supported (want BPE)", f.Model.Type)
	}
	if f.PreTokenizer != nil && f.PreTokenizer.Type != "ByteLevel" {
		return nil, fmt.Errorf("tokenizer: pre_tokenizer %q not supported (want ByteLevel)", f.PreTokenizer.Type)
	}
	if f.PreTokenizer != nil && f.PreTokenizer.AddPrefixSpace {
		return nil, errors.New("tokenizer: add_prefix_space is not supported")
	}
	n := len(f.Model.Vocab)
	for _, a := range f.AddedTokens {
		if a.ID >= n {
			n = a.ID + 1
		}
	}
	if n > MaxVocab {
		return nil, fmt.Errorf("tokenizer: vocabulary of %d exceeds %d", n, MaxVocab)
	}
	t := &Tokenizer{vocab: make([]string, n), special: map[int]string{}, merges: map[[2]int32]merge{}, cache: map[string][]int32{}, eos: -1}
	ids := make(map[string]int32, len(f.Model.Vocab))
	for s, id := range f.Model.Vocab {
		if id < 0 || id >= n {
			return nil, fmt.Errorf("tokenizer: token %q has id %d outside the vocabulary", s, id)
		}
		if t.vocab[id] != "" {
			return nil, fmt.Errorf("tokenizer: id %d used twice", id)
		}
		t.vocab[id] = s
		ids[s] = int32(id)
	}
	for _, a := range f.AddedTokens {
		if a.ID < 0 {
			return nil, fmt.Errorf("tokenizer: added token %q has negative id", a.Content)
		}
		t.special[a.ID] = a.Content
		if a.Content == "<|endoftext|>" || a.Content == "</s>" || a.Content == "<|end_of_text|>" {
			t.eos = a.ID
		}
	}
	for b := 0; b < 256; b++ {
		id, ok := ids[ByteSymbol(byte(b))]
		if !ok {
			return nil, fmt.Errorf("tokenizer: vocabulary lacks the symbol for byte %#x (not byte-level)", b)
		}
		t.byteIDs[b] = id
	}
	for rank, raw := range f.Model.Merges {
		a, b, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: merge %d: %w", rank, err)
		}
		ia, okA := ids[a]
		ib, okB := ids[b]
		ic, okC := ids[a+b]
		if !okA || !okB || !okC {
			return nil, fmt.Errorf("tokenizer: merge %d (%q %q) uses symbols not in the vocabulary", rank, a, b)
		}
		key := [2]int32{ia, ib}
		if _, dup := t.merges[key]; !dup {
			t.merges[key] = merge{rank: int32(rank), id: ic}
		}
	}
	t.hasMerge = len(t.merges) > 0
	return t, nil
}

// parseMerge accepts both spellings: "a b" (older files) and ["a","b"].
func parseMerge(raw json.RawMessage) (string, string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		a, b, ok := strings.Cut(s, " ")
		if !ok || a == "" || b == "" {
			return "", "", fmt.Errorf("bad merge %q", s)
		}
		return a, b, nil
	}
	var p []string
	if err := json.Unmarshal(raw, &p); err != nil || len(p) != 2 || p[0] == "" || p[1] == "" {
		return "", "", errors.New("merge must be \"a b\" or [a, b]")
	}
	return p[0], p[1], nil
}

// VocabSize is the number of token ids.
func (t *Tokenizer) VocabSize() int { return len(t.vocab) }

// EOS returns the end-of-text token id, or -1 when the vocabulary has none.
func (t *Tokenizer) EOS() int { return t.eos }

// maxCache bounds the per-word cache; when full it is simply reset.
const maxCache = 1 << 16

// Encode converts text to token ids.
func (t *Tokenizer) Encode(text string) []int {
	out := make([]int, 0, len(text)/3+1)
	if !t.hasMerge {
		for i := 0; i < len(text); i++ {
			out = append(out, int(t.byteIDs[text[i]]))
		}
		return out
	}
	splitGPT2(text, func(word string) {
		for _, id := range t.encodeWord(word) {
			out = append(out, int(id))
		}
	})
	return out
}

func (t *Tokenizer) encodeWord(word string) []int32 {
	t.cacheMu.Lock()
	if ids, ok := t.cache[word]; ok {
		t.cacheMu.Unlock()
		return ids
	}
	t.cacheMu.Unlock()
	syms := make([]int32, len(word))
	for i := 0; i < len(word); i++ {
		syms[i] = t.byteIDs[word[i]]
	}
	// Repeatedly merge the adjacent pair of lowest rank (GPT-2's rule). Words
	// are short, so the quadratic scan is cheaper than a heap.
	for len(syms) > 1 {
		best, bestRank := -1, int32(1<<31-1)
		for i := 0; i+1 < len(syms); i++ {
			if m, ok := t.merges[[2]int32{syms[i], syms[i+1]}]; ok && m.rank < bestRank {
				best, bestRank = i, m.rank
			}
		}
		if best < 0 {
			break
		}
		a, b := syms[best], syms[best+1]
		id := t.merges[[2]int32{a, b}].id
		// Merge every occurrence of this pair, left to right.
		w := 0
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == a && syms[i+1] == b {
				syms[w] = id
				i++
			} else {
				syms[w] = syms[i]
			}
			w++
		}
		syms = syms[:w]
	}
	t.cacheMu.Lock()
	if len(t.cache) >= maxCache {
		t.cache = map[string][]int32{}
	}
	t.cache[word] = syms
	t.cacheMu.Unlock()
	return syms
}

// Decode converts ids back to text. Byte sequences that are not valid UTF-8
// are kept as raw bytes, so Decode(Encode(s)) == s for every s.
func (t *Tokenizer) Decode(ids []int) (string, error) {
	var sb strings.Builder
	for _, id := range ids {
		if err := t.appendToken(&sb, id); err != nil {
			return "", err
		}
	}
	return sb.String(), nil
}

// TokenBytes returns the bytes one token stands for (used by streaming,
// which must hold back incomplete UTF-8 sequences).
func (t *Tokenizer) TokenBytes(id int) ([]byte, error) {
	var sb strings.Builder
	if err := t.appendToken(&sb, id); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}

func (t *Tokenizer) appendToken(sb *strings.Builder, id int) error {
	if id < 0 || id >= len(t.vocab) {
		return fmt.Errorf("tokenizer: id %d outside vocabulary of %d", id, len(t.vocab))
	}
	if s, ok := t.special[id]; ok {
		sb.WriteString(s)
		return nil
	}
	sym := t.vocab[id]
	if sym == "" {
		return fmt.Errorf("tokenizer: id %d has no symbol", id)
	}
	for _, r := range sym {
		b, ok := runeToByte[r]
		if !ok {
			return fmt.Errorf("tokenizer: token %d symbol %q is not byte-level", id, sym)
		}
		sb.WriteByte(b)
	}
	return nil
}
