// Package tokenizer implements the BPE tokenizers of Hugging Face
// tokenizer.json files as the published open-weight models ship them:
//
//   - byte-level BPE (GPT-2, Llama 3, Qwen2/Qwen2.5/Qwen3): a ByteLevel
//     pre-tokenizer with GPT-2's regex, or a Sequence of the published Llama 3
//     or Qwen Split regex and ByteLevel(use_regex=false); ignore_merges;
//   - SentencePiece-style BPE (Llama 2, Mistral, TinyLlama): the
//     Prepend("▁") + Replace(" "→"▁") normalizer or a Metaspace
//     pre-tokenizer, byte_fallback to <0xNN> tokens, unk/fuse_unk, and the
//     Replace/ByteFallback/Fuse/Strip or Metaspace decoder;
//   - NFC normalization (Qwen), added tokens (lstrip, rstrip, single_word),
//     and the TemplateProcessing / ByteLevel post-processors.
//
// Anything else (another model type, an unknown normalizer, pre-tokenizer,
// Split pattern, post-processor or decoder) is refused at load with an
// error naming the field.
//
// # API for engines and chat
//
//   - Encode(text): what HF's tokenizer.encode(text) returns: added tokens
//     written in the text (e.g. "<|eot_id|>") become their ids, and the
//     post-processor's special tokens are added (Llama 3: <|begin_of_text|>
//     first, Llama 2: <s> first; GPT-2 and Qwen: nothing).
//   - EncodeNoSpecial(text): the same without the post-processor's tokens
//     (add_special_tokens=False). Use it for chat prompts rendered by a chat
//     template, which already contain the BOS text.
//   - EncodeWith(text, EncodeOptions{...}): also Literal, which treats added
//     tokens in the text as ordinary text (untrusted input that must not
//     inject control tokens).
//   - AddsBOS() / BOS(): whether Encode puts a beginning-of-sequence token
//     first, and which id (-1 when none). Prefix()/Suffix(): every id the
//     post-processor adds around the text.
//   - TokenID(s): the id of an added/special token or vocabulary entry by
//     its text ("<|eot_id|>", "<|im_end|>", "</s>"); ok=false when absent.
//   - EOS(): the end-of-text id of the base vocabulary (<|endoftext|>,
//     <|end_of_text|> or </s>), -1 when none; chat models also stop on the
//     ids named by generation_config.json (TokenID finds them by name).
//   - Decode(ids): HF decode with special tokens kept (the decoder's Strip
//     applies to the start of the list); DecodeSkipSpecial drops added
//     special tokens. TokenBytes(id): the raw bytes of one token for
//     streaming (no Strip; byte-fallback tokens give single bytes, so callers
//     hold back incomplete UTF-8).
//
// A vocabulary of the 256 byte symbols with no merges is the plain
// byte-level tokenizer: one token per byte.
//
// # GGUF
//
// FromGGUF builds a tokenizer from a GGUF file's tokenizer.ggml.* keys
// (GGUFVocab) the way llama.cpp reads them, and Tokenizer.GGUF writes
// those keys as llama.cpp's convert_hf_to_gguf.py would; see gguf.go.
package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tokenizer encodes text to token ids and back. It is safe for concurrent use.
type Tokenizer struct {
	vocab   []string // id -> symbol string as stored in the file
	ids     map[string]int32
	added   []addedToken // longest first
	addedBy map[int]*addedToken
	byFirst [256][]int32   // indexes into added, by first byte, longest first
	special map[int]string // added token id -> content
	eos     int

	// normalizer
	nfc     bool
	normOps []normOp

	// pre-tokenizer
	split        func(string, func(string)) // nil: the whole piece is one word
	splitKind    string                     // "gpt2", "llama3", "qwen2": which scanner split is (GGUF's tokenizer.ggml.pre)
	byteLevel    bool
	prefixSpace  bool // ByteLevel add_prefix_space
	meta         bool // Metaspace
	metaRepl     string
	metaPrepend  string // "always", "first", "never"
	metaSplit    bool
	byteIDs      [256]int32
	byteFallback bool
	fallbackIDs  [256]int32 // <0xNN>, -1 when absent
	unk          int32
	fuseUnk      bool
	ignoreMerges bool
	merges       map[[2]int32]merge
	hasMerge     bool

	// post-processor
	prefix, suffix []int

	// decoder
	dec decoder

	chatTemplate string // tokenizer.chat_template from a GGUF file; "" otherwise

	cacheMu sync.Mutex
	cache   map[string][]int32
}

type merge struct{ rank, id int32 }

type normOp struct {
	prepend      string
	from, to     string
	isNFC, isRep bool
}

type addedToken struct {
	id                                  int
	content                             string
	special, lstrip, rstrip, singleWord bool
}

type decoder struct {
	byteLevel    bool
	replaces     [][2]string
	byteFallback bool
	stripStart   int
	metaspace    bool
	metaRepl     string
	metaStrip    bool
}

type fileJSON struct {
	Model struct {
		Type                    string            `json:"type"`
		Vocab                   map[string]int    `json:"vocab"`
		Merges                  []json.RawMessage `json:"merges"`
		UnkToken                *string           `json:"unk_token"`
		FuseUnk                 bool              `json:"fuse_unk"`
		ByteFallback            bool              `json:"byte_fallback"`
		IgnoreMerges            bool              `json:"ignore_merges"`
		ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
		Dropout                 *float64          `json:"dropout"`
	} `json:"model"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	AddedTokens   []struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		Special    bool   `json:"special"`
		LStrip     bool   `json:"lstrip"`
		RStrip     bool   `json:"rstrip"`
		SingleWord bool   `json:"single_word"`
		Normalized bool   `json:"normalized"`
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

func isNull(r json.RawMessage) bool {
	s := strings.TrimSpace(string(r))
	return s == "" || s == "null"
}

// Parse builds a tokenizer from tokenizer.json bytes.
func Parse(b []byte) (*Tokenizer, error) {
	var f fileJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("tokenizer: bad JSON: %w", err)
	}
	m := &f.Model
	if m.Type != "BPE" {
		if m.Type == "" && m.Vocab != nil && m.Merges != nil {
			m.Type = "BPE" // older files omit the type
		} else {
			return nil, fmt.Errorf("tokenizer: model.type %q not supported (want BPE)", m.Type)
		}
	}
	if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" {
		return nil, fmt.Errorf("tokenizer: model.continuing_subword_prefix %q not supported", *m.ContinuingSubwordPrefix)
	}
	if m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
		return nil, fmt.Errorf("tokenizer: model.end_of_word_suffix %q not supported", *m.EndOfWordSuffix)
	}
	if m.Dropout != nil && *m.Dropout != 0 {
		return nil, errors.New("tokenizer: model.dropout is not supported")
	}
	n := len(m.Vocab)
	for _, a := range f.AddedTokens {
		if a.ID >= n {
			n = a.ID + 1
		}
	}
	if n > MaxVocab {
		return nil, fmt.Errorf("tokenizer: vocabulary of %d exceeds %d", n, MaxVocab)
	}
	t := &Tokenizer{vocab: make([]string, n), special: map[int]string{}, addedBy: map[int]*addedToken{},
		merges: map[[2]int32]merge{}, cache: map[string][]int32{}, eos: -1, unk: -1,
		ids: make(map[string]int32, len(m.Vocab))}
	for s, id := range m.Vocab {
		if id < 0 || id >= n {
			return nil, fmt.Errorf("tokenizer: model.vocab: token %q has id %d outside the vocabulary", s, id)
		}
		if t.vocab[id] != "" {
			return nil, fmt.Errorf("tokenizer: model.vocab: id %d used twice", id)
		}
		t.vocab[id] = s
		t.ids[s] = int32(id)
	}
	for _, a := range f.AddedTokens {
		if a.ID < 0 {
			return nil, fmt.Errorf("tokenizer: added_tokens: %q has negative id", a.Content)
		}
		if a.Content == "" {
			return nil, fmt.Errorf("tokenizer: added_tokens: id %d has empty content", a.ID)
		}
		if v, ok := t.ids[a.Content]; ok && int(v) != a.ID {
			return nil, fmt.Errorf("tokenizer: added_tokens: %q has id %d but the vocabulary says %d", a.Content, a.ID, v)
		}
		if _, dup := t.addedBy[a.ID]; dup {
			return nil, fmt.Errorf("tokenizer: added_tokens: id %d listed twice", a.ID)
		}
		t.added = append(t.added, addedToken{id: a.ID, content: a.Content, special: a.Special, lstrip: a.LStrip, rstrip: a.RStrip, singleWord: a.SingleWord})
		t.addedBy[a.ID] = &t.added[len(t.added)-1]
		if t.vocab[a.ID] == "" {
			t.vocab[a.ID] = a.Content
		}
	}
	t.indexAdded()
	for _, name := range []string{"<|endoftext|>", "<|end_of_text|>", "</s>"} {
		if a, ok := t.addedTok(name); ok {
			t.eos = a
			break
		}
	}
	if err := t.parseNormalizer(f.Normalizer); err != nil {
		return nil, err
	}
	if err := t.parsePreTokenizer(f.PreTokenizer, true); err != nil {
		return nil, err
	}
	if err := t.parseDecoder(f.Decoder, true); err != nil {
		return nil, err
	}
	if err := t.parsePost(f.PostProcessor, true); err != nil {
		return nil, err
	}
	t.byteFallback = m.ByteFallback
	t.fuseUnk = m.FuseUnk
	t.ignoreMerges = m.IgnoreMerges
	if m.UnkToken != nil {
		id, ok := t.ids[*m.UnkToken]
		if !ok {
			return nil, fmt.Errorf("tokenizer: model.unk_token %q is not in the vocabulary", *m.UnkToken)
		}
		t.unk = id
	}
	if t.byteLevel {
		for b := 0; b < 256; b++ {
			id, ok := t.ids[ByteSymbol(byte(b))]
			if !ok {
				return nil, fmt.Errorf("tokenizer: model.vocab lacks the symbol for byte %#x (ByteLevel pre-tokenizer)", b)
			}
			t.byteIDs[b] = id
		}
	} else {
		for b := 0; b < 256; b++ {
			t.fallbackIDs[b] = -1
			if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
				t.fallbackIDs[b] = id
			}
		}
	}
	for rank, raw := range m.Merges {
		a, b, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: model.merges[%d]: %w", rank, err)
		}
		ia, okA := t.ids[a]
		ib, okB := t.ids[b]
		ic, okC := t.ids[a+b]
		if !okA || !okB || !okC {
			return nil, fmt.Errorf("tokenizer: model.merges[%d] (%q %q) uses symbols not in the vocabulary", rank, a, b)
		}
		key := [2]int32{ia, ib}
		if _, dup := t.merges[key]; !dup {
			t.merges[key] = merge{rank: int32(rank), id: ic}
		}
	}
	t.hasMerge = len(t.merges) > 0
	return t, nil
}

// indexAdded sorts the added tokens longest first and builds the lookups
// splitAdded, Decode and IsSpecial use.
func (t *Tokenizer) indexAdded() {
	sort.SliceStable(t.added, func(i, j int) bool { return len(t.added[i].content) > len(t.added[j].content) })
	for i := range t.added {
		a := &t.added[i]
		t.addedBy[a.id] = a
		if a.special {
			t.special[a.id] = a.content
		}
		t.byFirst[a.content[0]] = append(t.byFirst[a.content[0]], int32(i))
	}
}

func (t *Tokenizer) addedTok(content string) (int, bool) {
	for i := range t.added {
		if t.added[i].content == content {
			return t.added[i].id, true
		}
	}
	return -1, false
}

type typed struct {
	Type string `json:"type"`
}

func (t *Tokenizer) parseNormalizer(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var n struct {
		Type        string            `json:"type"`
		Normalizers []json.RawMessage `json:"normalizers"`
		Prepend     string            `json:"prepend"`
		Pattern     struct {
			String *string `json:"String"`
			Regex  *string `json:"Regex"`
		} `json:"pattern"`
		Content string `json:"content"`
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		return fmt.Errorf("tokenizer: normalizer: %w", err)
	}
	switch n.Type {
	case "Sequence":
		for _, s := range n.Normalizers {
			if err := t.parseNormalizer(s); err != nil {
				return err
			}
		}
	case "NFC":
		t.normOps = append(t.normOps, normOp{isNFC: true})
		t.nfc = true
	case "Prepend":
		t.normOps = append(t.normOps, normOp{prepend: n.Prepend})
	case "Replace":
		if n.Pattern.String == nil || *n.Pattern.String == "" {
			return errors.New("tokenizer: normalizer Replace: only a non-empty pattern.String is supported")
		}
		t.normOps = append(t.normOps, normOp{isRep: true, from: *n.Pattern.String, to: n.Content})
	default:
		return fmt.Errorf("tokenizer: normalizer type %q not supported", n.Type)
	}
	return nil
}

func (t *Tokenizer) parsePreTokenizer(raw json.RawMessage, top bool) error {
	if isNull(raw) {
		return nil
	}
	var p struct {
		Type           string            `json:"type"`
		Pretokenizers  []json.RawMessage `json:"pretokenizers"`
		AddPrefixSpace bool              `json:"add_prefix_space"`
		UseRegex       *bool             `json:"use_regex"`
		Pattern        struct {
			String *string `json:"String"`
			Regex  *string `json:"Regex"`
		} `json:"pattern"`
		Behavior      string  `json:"behavior"`
		Invert        bool    `json:"invert"`
		Replacement   string  `json:"replacement"`
		PrependScheme *string `json:"prepend_scheme"`
		Split         *bool   `json:"split"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("tokenizer: pre_tokenizer: %w", err)
	}
	setSplit := func(f func(string, func(string))) error {
		if t.split != nil {
			return errors.New("tokenizer: pre_tokenizer: more than one splitting step is not supported")
		}
		t.split = f
		return nil
	}
	switch p.Type {
	case "Sequence":
		if !top {
			return errors.New("tokenizer: pre_tokenizer: nested Sequence not supported")
		}
		for _, s := range p.Pretokenizers {
			if err := t.parsePreTokenizer(s, false); err != nil {
				return err
			}
		}
	case "ByteLevel":
		if t.byteLevel {
			return errors.New("tokenizer: pre_tokenizer: ByteLevel given twice")
		}
		t.byteLevel = true
		t.prefixSpace = p.AddPrefixSpace
		if p.UseRegex == nil || *p.UseRegex {
			if err := setSplit(splitGPT2); err != nil {
				return err
			}
			t.splitKind = "gpt2"
		}
	case "Split":
		if p.Behavior != "Isolated" || p.Invert {
			return fmt.Errorf("tokenizer: pre_tokenizer Split: behavior %q invert %v not supported (want Isolated, false)", p.Behavior, p.Invert)
		}
		if p.Pattern.Regex == nil {
			return errors.New("tokenizer: pre_tokenizer Split: pattern.Regex missing")
		}
		kind := ""
		switch *p.Pattern.Regex {
		case llama3Pattern:
			kind = "llama3"
		case qwen2Pattern:
			kind = "qwen2"
		case gpt2Pattern:
			kind = "gpt2"
		default:
			return fmt.Errorf("tokenizer: pre_tokenizer Split: pattern.Regex %q is not one of the published GPT-2, Llama 3 or Qwen patterns", *p.Pattern.Regex)
		}
		if err := setSplit(splitFunc(kind)); err != nil {
			return err
		}
		t.splitKind = kind
	case "Metaspace":
		t.meta = true
		t.metaRepl = p.Replacement
		if t.metaRepl == "" {
			t.metaRepl = "▁"
		}
		t.metaPrepend = "always"
		if p.PrependScheme != nil {
			t.metaPrepend = *p.PrependScheme
		} else if !p.AddPrefixSpace && strings.Contains(string(raw), "add_prefix_space") {
			t.metaPrepend = "never"
		}
		switch t.metaPrepend {
		case "always", "first", "never":
		default:
			return fmt.Errorf("tokenizer: pre_tokenizer Metaspace: prepend_scheme %q not supported", t.metaPrepend)
		}
		t.metaSplit = p.Split == nil || *p.Split
	default:
		return fmt.Errorf("tokenizer: pre_tokenizer type %q not supported", p.Type)
	}
	if top && t.meta && t.byteLevel {
		return errors.New("tokenizer: pre_tokenizer: Metaspace with ByteLevel not supported")
	}
	return nil
}

func (t *Tokenizer) parseDecoder(raw json.RawMessage, top bool) error {
	if isNull(raw) {
		return nil
	}
	var d struct {
		Type     string            `json:"type"`
		Decoders []json.RawMessage `json:"decoders"`
		Pattern  struct {
			String *string `json:"String"`
		} `json:"pattern"`
		Content       string  `json:"content"`
		Start         int     `json:"start"`
		Stop          int     `json:"stop"`
		Replacement   string  `json:"replacement"`
		PrependScheme *string `json:"prepend_scheme"`
		AddPrefix     *bool   `json:"add_prefix_space"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return fmt.Errorf("tokenizer: decoder: %w", err)
	}
	switch d.Type {
	case "Sequence":
		if !top {
			return errors.New("tokenizer: decoder: nested Sequence not supported")
		}
		for _, s := range d.Decoders {
			if err := t.parseDecoder(s, false); err != nil {
				return err
			}
		}
	case "ByteLevel":
		t.dec.byteLevel = true
	case "Replace":
		if d.Pattern.String == nil || *d.Pattern.String == "" {
			return errors.New("tokenizer: decoder Replace: only a non-empty pattern.String is supported")
		}
		t.dec.replaces = append(t.dec.replaces, [2]string{*d.Pattern.String, d.Content})
	case "ByteFallback":
		t.dec.byteFallback = true
	case "Fuse":
	case "Strip":
		if d.Content != " " || d.Stop != 0 || d.Start < 0 || d.Start > 16 {
			return fmt.Errorf("tokenizer: decoder Strip: content %q start %d stop %d not supported", d.Content, d.Start, d.Stop)
		}
		t.dec.stripStart = d.Start
	case "Metaspace":
		t.dec.metaspace = true
		t.dec.metaRepl = d.Replacement
		if t.dec.metaRepl == "" {
			t.dec.metaRepl = "▁"
		}
		t.dec.metaStrip = (d.PrependScheme == nil && (d.AddPrefix == nil || *d.AddPrefix)) || (d.PrependScheme != nil && *d.PrependScheme != "never")
	default:
		return fmt.Errorf("tokenizer: decoder type %q not supported", d.Type)
	}
	return nil
}

func (t *Tokenizer) parsePost(raw json.RawMessage, top bool) error {
	if isNull(raw) {
		return nil
	}
	var p struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
		Single     []struct {
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
			Sequence *struct {
				ID string `json:"id"`
			} `json:"Sequence"`
		} `json:"single"`
		SpecialTokens map[string]struct {
			IDs []int `json:"ids"`
		} `json:"special_tokens"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("tokenizer: post_processor: %w", err)
	}
	switch p.Type {
	case "Sequence":
		if !top {
			return errors.New("tokenizer: post_processor: nested Sequence not supported")
		}
		for _, s := range p.Processors {
			if err := t.parsePost(s, false); err != nil {
				return err
			}
		}
	case "ByteLevel":
	case "TemplateProcessing":
		if t.prefix != nil || t.suffix != nil {
			return errors.New("tokenizer: post_processor: TemplateProcessing given twice")
		}
		seen := false
		pre, suf := []int{}, []int{}
		for i, it := range p.Single {
			switch {
			case it.Sequence != nil && it.SpecialToken == nil:
				if it.Sequence.ID != "A" || seen {
					return fmt.Errorf("tokenizer: post_processor TemplateProcessing: single[%d] must be the one sequence $A", i)
				}
				seen = true
			case it.SpecialToken != nil && it.Sequence == nil:
				st, ok := p.SpecialTokens[it.SpecialToken.ID]
				if !ok || len(st.IDs) == 0 {
					return fmt.Errorf("tokenizer: post_processor TemplateProcessing: special token %q not in special_tokens", it.SpecialToken.ID)
				}
				for _, id := range st.IDs {
					if id < 0 || id >= len(t.vocab) {
						return fmt.Errorf("tokenizer: post_processor TemplateProcessing: %q id %d outside the vocabulary", it.SpecialToken.ID, id)
					}
				}
				if seen {
					suf = append(suf, st.IDs...)
				} else {
					pre = append(pre, st.IDs...)
				}
			default:
				return fmt.Errorf("tokenizer: post_processor TemplateProcessing: single[%d] is neither SpecialToken nor Sequence", i)
			}
		}
		if !seen {
			return errors.New("tokenizer: post_processor TemplateProcessing: single has no $A")
		}
		t.prefix, t.suffix = pre, suf
	default:
		return fmt.Errorf("tokenizer: post_processor type %q not supported", p.Type)
	}
	return nil
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

// BOS returns the token the post-processor puts first, or -1 when Encode
// adds no beginning-of-sequence token.
func (t *Tokenizer) BOS() int {
	if len(t.prefix) == 0 {
		return -1
	}
	return t.prefix[0]
}

// AddsBOS reports whether Encode starts every sequence with BOS().
func (t *Tokenizer) AddsBOS() bool { return len(t.prefix) > 0 }

// Prefix and Suffix return copies of the ids the post-processor adds
// before and after the text.
func (t *Tokenizer) Prefix() []int { return append([]int(nil), t.prefix...) }

// Suffix: see Prefix.
func (t *Tokenizer) Suffix() []int { return append([]int(nil), t.suffix...) }

// TokenID returns the id of an added token or vocabulary entry by its text.
func (t *Tokenizer) TokenID(s string) (int, bool) {
	if id, ok := t.addedTok(s); ok {
		return id, true
	}
	if id, ok := t.ids[s]; ok {
		return int(id), true
	}
	return -1, false
}

// IsSpecial reports whether id is an added token marked special.
func (t *Tokenizer) IsSpecial(id int) bool { _, ok := t.special[id]; return ok }

// EncodeOptions select the HF encode variants; the zero value is HF's
// default encode(text).
type EncodeOptions struct {
	// NoSpecialTokens leaves out the post-processor's tokens (BOS):
	// add_special_tokens=False.
	NoSpecialTokens bool
	// Literal treats added tokens written in the text as ordinary text.
	Literal bool
}

// Encode converts text to token ids the way HF's encode(text) does.
func (t *Tokenizer) Encode(text string) []int { return t.EncodeWith(text, EncodeOptions{}) }

// EncodeNoSpecial encodes without the post-processor's special tokens.
func (t *Tokenizer) EncodeNoSpecial(text string) []int {
	return t.EncodeWith(text, EncodeOptions{NoSpecialTokens: true})
}

// maxCache bounds the per-word cache; when full it is simply reset.
const maxCache = 1 << 16

// maxCachedWord: longer words are not cached (they rarely repeat).
const maxCachedWord = 256

// EncodeWith encodes text with the given options.
func (t *Tokenizer) EncodeWith(text string, o EncodeOptions) []int {
	out := make([]int, 0, len(text)/3+len(t.prefix)+len(t.suffix)+1)
	if !o.NoSpecialTokens {
		out = append(out, t.prefix...)
	}
	if o.Literal || len(t.added) == 0 {
		out = t.encodePiece(out, text, 0)
	} else {
		start := 0
		t.splitAdded(text, func(s, e, id int) {
			if s > start {
				out = t.encodePiece(out, text[start:s], start)
			}
			out = append(out, id)
			start = e
		})
		if start < len(text) {
			out = t.encodePiece(out, text[start:], start)
		}
	}
	if !o.NoSpecialTokens {
		out = append(out, t.suffix...)
	}
	return out
}

func isWS(b byte) bool { return b == ' ' || (b >= '\t' && b <= '\r') }

func isWordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := class(s[i:])
	return c == clsLetter || c == clsNumber || s[i] == '_'
}

// splitAdded finds added tokens in text, leftmost-longest, and calls emit
// with the span each one covers (widened by lstrip/rstrip).
func (t *Tokenizer) splitAdded(text string, emit func(s, e, id int)) {
	last := 0
	for i := 0; i < len(text); i++ {
		for _, k := range t.byFirst[text[i]] {
			a := &t.added[k]
			if !strings.HasPrefix(text[i:], a.content) {
				continue
			}
			end := i + len(a.content)
			if a.singleWord && (isWordByte(text, i-1) && isWordByte(text, i) || isWordByte(text, end) && isWordByte(text, end-1)) {
				continue
			}
			s := i
			if a.lstrip {
				for s > last && isWS(text[s-1]) {
					s--
				}
			}
			if a.rstrip {
				for end < len(text) && isWS(text[end]) {
					end++
				}
			}
			emit(s, end, a.id)
			last = end
			i = end - 1
			break
		}
	}
}

// encodePiece normalizes, pre-tokenizes and BPE-encodes one stretch of text
// between added tokens; off is its offset in the whole input.
func (t *Tokenizer) encodePiece(out []int, s string, off int) []int {
	if s == "" {
		return out
	}
	for _, op := range t.normOps {
		switch {
		case op.isNFC:
			s = norm.NFC.String(s)
		case op.isRep:
			s = strings.ReplaceAll(s, op.from, op.to)
		default:
			if s != "" {
				s = op.prepend + s
			}
		}
	}
	if t.prefixSpace && !strings.HasPrefix(s, " ") {
		s = " " + s
	}
	if t.meta {
		s = strings.ReplaceAll(s, " ", t.metaRepl)
		if t.metaPrepend == "always" || (t.metaPrepend == "first" && off == 0) {
			if !strings.HasPrefix(s, t.metaRepl) {
				s = t.metaRepl + s
			}
		}
		if t.metaSplit {
			for len(s) > 0 {
				k := strings.Index(s[1:], t.metaRepl)
				if k < 0 {
					out = t.appendWord(out, s)
					break
				}
				out = t.appendWord(out, s[:k+1])
				s = s[k+1:]
			}
			return out
		}
	}
	if t.split == nil {
		return t.appendWord(out, s)
	}
	t.split(s, func(w string) { out = t.appendWord(out, w) })
	return out
}

func (t *Tokenizer) appendWord(out []int, w string) []int {
	for _, id := range t.encodeWord(w) {
		out = append(out, int(id))
	}
	return out
}

func (t *Tokenizer) encodeWord(word string) []int32 {
	if t.byteLevel && !t.hasMerge {
		syms := make([]int32, len(word))
		for i := 0; i < len(word); i++ {
			syms[i] = t.byteIDs[word[i]]
		}
		return syms
	}
	t.cacheMu.Lock()
	if ids, ok := t.cache[word]; ok {
		t.cacheMu.Unlock()
		return ids
	}
	t.cacheMu.Unlock()
	syms := t.wordSymbols(word)
	if len(syms) > heapMinSymbols {
		syms = t.mergeHeap(syms)
	}
	syms = t.mergeScan(syms)
	if len(word) > maxCachedWord {
		return syms
	}
	t.cacheMu.Lock()
	if len(t.cache) >= maxCache {
		t.cache = map[string][]int32{}
	}
	t.cache[word] = syms
	t.cacheMu.Unlock()
	return syms
}

// wordSymbols gives the initial symbols of a word: its bytes for byte-level
// files; else one symbol per character, with byte fallback or unk.
func (t *Tokenizer) wordSymbols(word string) []int32 {
	if t.byteLevel {
		if t.ignoreMerges {
			var sb strings.Builder
			for i := 0; i < len(word); i++ {
				sb.WriteRune(byteToRune[word[i]])
			}
			if id, ok := t.ids[sb.String()]; ok {
				return []int32{id}
			}
		}
		syms := make([]int32, len(word))
		for i := 0; i < len(word); i++ {
			syms[i] = t.byteIDs[word[i]]
		}
		return syms
	}
	if t.ignoreMerges {
		if id, ok := t.ids[word]; ok {
			return []int32{id}
		}
	}
	syms := make([]int32, 0, len(word))
	prevUnk := false
	for i := 0; i < len(word); {
		_, w := utf8.DecodeRuneInString(word[i:])
		ch := word[i : i+w]
		i += w
		if id, ok := t.ids[ch]; ok {
			syms = append(syms, id)
			prevUnk = false
			continue
		}
		if t.byteFallback {
			ok := true
			for k := 0; k < len(ch); k++ {
				if t.fallbackIDs[ch[k]] < 0 {
					ok = false
				}
			}
			if ok {
				for k := 0; k < len(ch); k++ {
					syms = append(syms, t.fallbackIDs[ch[k]])
				}
				prevUnk = false
				continue
			}
		}
		if t.unk >= 0 {
			if !(t.fuseUnk && prevUnk) {
				syms = append(syms, t.unk)
			}
			prevUnk = true
		}
	}
	return syms
}

// Decode converts ids back to text like HF's decode with special tokens
// kept. Byte sequences that are not valid UTF-8 are kept as raw bytes.
func (t *Tokenizer) Decode(ids []int) (string, error) { return t.decode(ids, false) }

// DecodeSkipSpecial is Decode leaving out added tokens marked special.
func (t *Tokenizer) DecodeSkipSpecial(ids []int) (string, error) { return t.decode(ids, true) }

func (t *Tokenizer) decode(ids []int, skip bool) (string, error) {
	var sb strings.Builder
	first := true
	for _, id := range ids {
		if skip && t.IsSpecial(id) {
			continue
		}
		n := sb.Len()
		if err := t.appendToken(&sb, id); err != nil {
			return "", err
		}
		if first && t.dec.metaspace && t.dec.metaStrip && t.addedBy[id] == nil {
			s := sb.String()
			if len(s) > n && s[n] == ' ' {
				sb.Reset()
				sb.WriteString(s[:n] + s[n+1:])
			}
		}
		first = false
	}
	s := sb.String()
	for i := 0; i < t.dec.stripStart && strings.HasPrefix(s, " "); i++ {
		s = s[1:]
	}
	return s, nil
}

// TokenBytes returns the bytes one token stands for (used by streaming,
// which must hold back incomplete UTF-8 sequences). The decoder's leading
// space strip is not applied.
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
	if a := t.addedBy[id]; a != nil {
		sb.WriteString(a.content)
		return nil
	}
	sym := t.vocab[id]
	if sym == "" {
		return fmt.Errorf("tokenizer: id %d has no symbol", id)
	}
	if t.dec.byteLevel || (t.byteLevel && !t.dec.metaspace && len(t.dec.replaces) == 0) {
		for _, r := range sym {
			b, ok := runeToByte[r]
			if !ok {
				return fmt.Errorf("tokenizer: token %d symbol %q is not byte-level", id, sym)
			}
			sb.WriteByte(b)
		}
		return nil
	}
	if t.dec.byteFallback && len(sym) == 6 && strings.HasPrefix(sym, "<0x") && sym[5] == '>' {
		if v, ok := hexByte(sym[3:5]); ok {
			sb.WriteByte(v)
			return nil
		}
	}
	for _, r := range t.dec.replaces {
		sym = strings.ReplaceAll(sym, r[0], r[1])
	}
	if t.dec.metaspace {
		sym = strings.ReplaceAll(sym, t.dec.metaRepl, " ")
	}
	sb.WriteString(sym)
	return nil
}

func hexByte(s string) (byte, bool) {
	var v byte
	for i := 0; i < 2; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | (c - '0')
		case c >= 'A' && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return v, true
}

// mergeScan repeatedly merges the adjacent pair of lowest rank (HF's BPE
// rule, ties to the left), one pair at a time so a new pair of lower rank
// goes first as in HF's queue. Words are short, so the quadratic scan
// beats a heap.
func (t *Tokenizer) mergeScan(syms []int32) []int32 {
	for len(syms) > 1 {
		best, bestRank := -1, int32(1<<31-1)
		var bestID int32
		for i := 0; i+1 < len(syms); i++ {
			if m, ok := t.merges[[2]int32{syms[i], syms[i+1]}]; ok && m.rank < bestRank {
				best, bestRank, bestID = i, m.rank, m.id
			}
		}
		if best < 0 {
			break
		}
		syms[best] = bestID
		copy(syms[best+1:], syms[best+2:])
		w := len(syms) - 1
		syms = syms[:w]
	}
	return syms
}
