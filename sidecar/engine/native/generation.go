package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// maxEOSIDs bounds an eos_token_id list (published ones hold 1 to 3 ids).
const maxEOSIDs = 64

// EOSIDs returns the token ids that end a generation, in the order Hugging
// Face transformers looks for them: generation_config.json's eos_token_id (an
// int or a list: Llama 3.1 instruct stops at <|end_of_text|>, <|eom_id|> and
// <|eot_id|>), else config.json's, else the tokenizer's end-of-text token.
// Every id must be inside the model's vocabulary. The result may be empty (no
// EOS: generation runs to max_tokens).
func EOSIDs(dir string, vocab int, tok *tokenizer.Tokenizer) ([]int, error) {
	for _, name := range []string{"generation_config.json", "config.json"} {
		path := filepath.Join(dir, name)
		ids, found, err := readEOS(path, vocab)
		if err != nil {
			return nil, err
		}
		if found {
			return ids, nil
		}
	}
	if tok != nil && tok.EOS() >= 0 {
		return []int{tok.EOS()}, nil
	}
	return nil, nil
}

// readEOS reads eos_token_id from one JSON file; found is false when the file
// or the field is absent (or null).
func readEOS(path string, vocab int) (ids []int, found bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var f struct {
		EOS json.RawMessage `json:"eos_token_id"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.EOS) == 0 || string(f.EOS) == "null" {
		return nil, false, nil
	}
	var one int
	if err := json.Unmarshal(f.EOS, &one); err == nil {
		ids = []int{one}
	} else if err := json.Unmarshal(f.EOS, &ids); err != nil {
		return nil, false, fmt.Errorf("%s: eos_token_id must be an integer or a list of integers", path)
	}
	if len(ids) > maxEOSIDs {
		return nil, false, fmt.Errorf("%s: eos_token_id lists %d ids, at most %d", path, len(ids), maxEOSIDs)
	}
	for _, id := range ids {
		if id < 0 || id >= vocab {
			return nil, false, fmt.Errorf("%s: eos_token_id %d outside the vocabulary of %d", path, id, vocab)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), true, nil
}

// isEOS reports whether tok ends the generation: one of the model's EOS ids
// (Load reads them), or the tokenizer's end-of-text token for a model built
// without Load.
func (m *Model) isEOS(tok int) bool {
	if m.eos != nil {
		return slices.Contains(m.eos, tok)
	}
	return tok == m.Tok.EOS()
}

// encodePrompt tokenizes a completion's prompt. A rendered chat prompt
// (prompt_type "chat") already holds the template's BOS as text, which the
// tokenizer maps to its id, so it must not get the post-processor's special
// tokens a second time; a raw completion prompt is encoded as Hugging Face's
// encode(text) does.
func (m *Model) encodePrompt(prompt string, rendered bool) []int {
	if rendered {
		return m.Tok.EncodeNoSpecial(prompt)
	}
	return m.Tok.Encode(prompt)
}
