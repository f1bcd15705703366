package tokenizer

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

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

// GGUF token types (tokenizer.ggml.token_type, llama.cpp's llama_token_type).
const (
	GGUFTokenNormal      int32 = 1
	GGUFTokenUnknown     int32 = 2
	GGUFTokenControl     int32 = 3
	GGUFTokenUserDefined int32 = 4
	GGUFTokenUnused      int32 = 5
	GGUFTokenByte        int32 = 6
)

// The tokenizer.ggml.pre names FromGGUF accepts for the "gpt2" model, each
// mapped onto the split scanner with the same regex. These are the names
// llama.cpp's src/llama-vocab.cpp maps to LLAMA_VOCAB_PRE_TYPE_GPT2, _LLAMA3
// and _QWEN2 without any further flag (add_sep etc.); convert_hf_to_gguf.py
// writes "gpt-2" for GPT-2, "llama-bpe" for Llama 3 and "qwen2" for
// Qwen2/2.5/3.
var ggufPre = map[string]string{
	"gpt-2":            "gpt2",
	"phi-2":            "gpt2",
	"llama3":           "llama3",
	"llama-v3":         "llama3",
	"llama-bpe":        "llama3",
	"falcon3":          "llama3",
	"qwen2":            "qwen2",
	"deepseek-r1-qwen": "qwen2",
	"megrez":           "qwen2",
}

func supportedPre() string {
	names := make([]string, 0, len(ggufPre))
	for n := range ggufPre {
		names = append(names, fmt.Sprintf("%q", n))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// GGUFDefaults returns the values llama.cpp assumes for the keys a file
// leaves out, for a GGUF reader to start from: for "llama" bos 1, eos 2,
// unk 0 and add_bos true; for "gpt2" no special ids, and add_bos true with
// the Llama 3 pre-tokenizer names only (llama.cpp's bos/eos default 11 for
// gpt2 is a Falcon leftover and is not copied). add_eos defaults to false.
func GGUFDefaults(model, pre string) *GGUFVocab {
	v := &GGUFVocab{Model: model, Pre: pre, BOS: -1, EOS: -1, UNK: -1, PAD: -1, SEP: -1}
	switch model {
	case "llama":
		v.BOS, v.EOS, v.UNK, v.AddBOS = 1, 2, 0, true
	case "gpt2":
		v.AddBOS = ggufPre[pre] == "llama3"
	}
	return v
}

// FromGGUF builds a tokenizer from GGUF tokenizer metadata the way
// llama.cpp's src/llama-vocab.cpp reads it:
//
//   - "gpt2": byte-level BPE with the merges in file order (the first of
//     duplicate pairs wins) and the split scanner named by Pre; "llama-bpe"
//     and its aliases also take a word that is one vocabulary entry whole
//     (ignore_merges). Qwen names apply NFC first, as Qwen's tokenizer.json
//     does (llama.cpp does not; the two differ only on text that is not
//     NFC).
//   - "llama": SentencePiece. " " is prepended to every stretch of text
//     between special tokens and spaces become "▁" (llama.cpp's
//     add_space_prefix, the Llama 2 tokenizer.json layout); adjacent symbols
//     merge when their concatenation is a normal token, the one with the
//     highest score first and the leftmost on equal scores; characters
//     that are no token become their <0xNN> byte tokens, else UNK.
//
// Tokens of type control, user-defined and unknown are matched in the text
// before any of that, longest first, as tokenizer.json's added tokens are
// (control and unknown ones count as special for DecodeSkipSpecial).
// AddBOS/AddEOS put BOS/EOS around Encode's result. Lengths that differ,
// unknown models, pre-tokenizers or token types, ids out of range, bad or
// unknown merges, duplicate or empty token strings and missing byte tokens
// are refused with an error naming the key.
func FromGGUF(v *GGUFVocab) (*Tokenizer, error) {
	if v == nil {
		return nil, errors.New("tokenizer: GGUF vocabulary is nil")
	}
	n := len(v.Tokens)
	if n == 0 {
		return nil, errors.New("tokenizer: GGUF tokenizer.ggml.tokens is empty")
	}
	if n > MaxVocab {
		return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.tokens has %d entries, more than %d", n, MaxVocab)
	}
	if v.Types != nil && len(v.Types) != n {
		return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.token_type has %d entries for %d tokens", len(v.Types), n)
	}
	if v.Scores != nil && len(v.Scores) != n {
		return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.scores has %d entries for %d tokens", len(v.Scores), n)
	}
	var kind string
	switch v.Model {
	case "gpt2":
		kind = ggufPre[v.Pre]
		if kind == "" {
			return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.pre %q is not supported for model \"gpt2\" (supported: %s)", v.Pre, supportedPre())
		}
	case "llama":
		if v.Pre != "" && v.Pre != "default" {
			return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.pre %q is not supported for model \"llama\" (supported: \"default\" or none)", v.Pre)
		}
		if v.Scores == nil {
			return nil, errors.New("tokenizer: GGUF tokenizer.ggml.scores missing: a \"llama\" (SentencePiece) vocabulary ranks its merges by them")
		}
	default:
		return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.model %q is not supported (supported: \"gpt2\", \"llama\")", v.Model)
	}
	typ := func(i int) int32 {
		if v.Types == nil {
			return GGUFTokenNormal
		}
		return v.Types[i]
	}
	for _, f := range []struct {
		name string
		id   int
	}{{"bos", v.BOS}, {"eos", v.EOS}, {"unknown", v.UNK}, {"padding", v.PAD}, {"seperator", v.SEP}} { // llama.cpp spells the key "seperator"
		if f.id < -1 || f.id >= n {
			return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.%s_token_id %d outside the vocabulary of %d", f.name, f.id, n)
		}
	}
	if v.AddBOS && v.BOS < 0 {
		return nil, errors.New("tokenizer: GGUF tokenizer.ggml.add_bos_token is set but there is no bos_token_id")
	}
	if v.AddEOS && v.EOS < 0 {
		return nil, errors.New("tokenizer: GGUF tokenizer.ggml.add_eos_token is set but there is no eos_token_id")
	}

	t := &Tokenizer{vocab: make([]string, n), special: map[int]string{}, addedBy: map[int]*addedToken{},
		cache: map[string][]int32{}, eos: v.EOS, unk: -1, ids: make(map[string]int32, n),
		chatTemplate: v.ChatTemplate}
	for i, s := range v.Tokens {
		ty := typ(i)
		if ty < GGUFTokenNormal || ty > GGUFTokenByte {
			return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.token_type[%d] = %d is not a token type (1..6)", i, ty)
		}
		if s == "" {
			return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.tokens[%d] is empty", i)
		}
		if j, dup := t.ids[s]; dup {
			return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.tokens[%d] %q repeats tokens[%d]", i, s, j)
		}
		if v.Scores != nil && (math.IsNaN(float64(v.Scores[i])) || math.IsInf(float64(v.Scores[i]), 0)) {
			return nil, fmt.Errorf("tokenizer: GGUF tokenizer.ggml.scores[%d] of %q is %v", i, s, v.Scores[i])
		}
		t.vocab[i] = s
		t.ids[s] = int32(i)
		switch ty {
		case GGUFTokenControl, GGUFTokenUnknown, GGUFTokenUserDefined:
			t.added = append(t.added, addedToken{id: i, content: s, special: ty != GGUFTokenUserDefined})
		}
	}
	// Unused tokens ([PADn] fillers) are never produced by encoding.
	for i := range v.Tokens {
		if typ(i) == GGUFTokenUnused {
			delete(t.ids, v.Tokens[i])
		}
	}
	t.indexAdded()
	if v.AddBOS {
		t.prefix = []int{v.BOS}
	}
	if v.AddEOS {
		t.suffix = []int{v.EOS}
	}
	if v.Model == "gpt2" {
		if err := t.ggufBPE(v, kind); err != nil {
			return nil, err
		}
	} else {
		t.ggufSPM(v, typ)
	}
	t.hasMerge = len(t.merges) > 0
	return t, nil
}

// ggufBPE sets up byte-level BPE: the split scanner, the 256 byte symbols
// and the merges.
func (t *Tokenizer) ggufBPE(v *GGUFVocab, kind string) error {
	t.byteLevel = true
	t.dec.byteLevel = true
	t.split = splitFunc(kind)
	t.splitKind = kind
	t.ignoreMerges = kind == "llama3"
	if kind == "qwen2" {
		t.nfc = true
		t.normOps = []normOp{{isNFC: true}}
	}
	for b := 0; b < 256; b++ {
		id, ok := t.ids[ByteSymbol(byte(b))]
		if !ok {
			return fmt.Errorf("tokenizer: GGUF tokenizer.ggml.tokens lacks the byte-level symbol %q for byte %#x", ByteSymbol(byte(b)), b)
		}
		t.byteIDs[b] = id
	}
	t.merges = make(map[[2]int32]merge, len(v.Merges))
	for rank, line := range v.Merges {
		// llama.cpp splits at the first space after the first byte.
		k := -1
		if len(line) > 1 {
			if k = strings.IndexByte(line[1:], ' '); k >= 0 {
				k++
			}
		}
		if k < 0 || k == len(line)-1 {
			return fmt.Errorf("tokenizer: GGUF tokenizer.ggml.merges[%d] %q is not \"a b\"", rank, line)
		}
		a, b := line[:k], line[k+1:]
		ia, okA := t.ids[a]
		ib, okB := t.ids[b]
		ic, okC := t.ids[a+b]
		if !okA || !okB || !okC {
			return fmt.Errorf("tokenizer: GGUF tokenizer.ggml.merges[%d] %q uses symbols not in tokenizer.ggml.tokens", rank, line)
		}
		if rank > math.MaxInt32 {
			return fmt.Errorf("tokenizer: GGUF tokenizer.ggml.merges has more than %d entries", math.MaxInt32)
		}
		key := [2]int32{ia, ib}
		if _, dup := t.merges[key]; !dup {
			t.merges[key] = merge{rank: int32(rank), id: ic}
		}
	}
	return nil
}

// ggufSPM sets up SentencePiece: Prepend("▁") + Replace(" "→"▁"), byte
// fallback, and merges ranked by the score of the merged token.
//
// llama.cpp's SPM tokenizer merges the adjacent pair whose concatenation is
// the vocabulary entry with the highest score, leftmost on ties. The
// equivalent BPE merge table has one entry per way of writing a normal
// token as two tokens, ranked by that token's score (all splits of one
// token share a rank, so ties go to the leftmost pair, as in llama.cpp).
// On Llama 2's tokenizer.json this gives the same ids as its merge list,
// which Hugging Face's SentencePieceExtractor derived the same way (it
// orders the splits of one token by their ids; two of them can only meet
// in one word at different positions, where the merge result is the same).
func (t *Tokenizer) ggufSPM(v *GGUFVocab, typ func(int) int32) {
	t.normOps = []normOp{{prepend: "▁"}, {isRep: true, from: " ", to: "▁"}}
	t.byteFallback = true
	t.fuseUnk = true
	t.unk = int32(v.UNK)
	t.dec = decoder{replaces: [][2]string{{"▁", " "}}, byteFallback: true, stripStart: 1}
	for b := 0; b < 256; b++ {
		t.fallbackIDs[b] = -1
		if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
			t.fallbackIDs[b] = id
		}
	}
	// Dense rank of each normal token's score, highest first.
	type scored struct {
		score float32
		id    int32
	}
	var cands []scored
	for i, s := range v.Tokens {
		if typ(i) == GGUFTokenNormal && utf8.RuneCountInString(s) > 1 {
			cands = append(cands, scored{v.Scores[i], int32(i)})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].id < cands[j].id
	})
	t.merges = make(map[[2]int32]merge, 2*len(cands))
	rank := int32(-1)
	for i, c := range cands {
		if i == 0 || c.score != cands[i-1].score {
			rank++
		}
		s := v.Tokens[c.id]
		for k := len(s) - 1; k > 0; k-- {
			if !utf8.RuneStart(s[k]) {
				continue
			}
			l, okL := t.ids[s[:k]]
			r, okR := t.ids[s[k:]]
			if okL && okR {
				t.merges[[2]int32{l, r}] = merge{rank: rank, id: c.id}
			}
		}
	}
}

// ChatTemplate returns tokenizer.chat_template of a tokenizer read from
// GGUF metadata ("" otherwise).
func (t *Tokenizer) ChatTemplate() string { return t.chatTemplate }

var byteTokenRe = regexp.MustCompile(`^<0x[0-9A-Fa-f]{2}>$`)

// looksSpecial is convert_hf_to_gguf.py's does_token_look_special: added
// tokens it matches are written as control tokens even when the
// tokenizer.json does not mark them special.
func looksSpecial(s string) bool {
	switch s {
	case "<pad>", "<mask>", "<2mass>", "[@BOS@]":
		return true
	}
	return (strings.HasPrefix(s, "<|") && strings.HasSuffix(s, "|>")) ||
		(strings.HasPrefix(s, "<｜") && strings.HasSuffix(s, "｜>")) ||
		(strings.HasPrefix(s, "<unused") && strings.HasSuffix(s, ">"))
}

// GGUF returns the tokenizer.ggml.* metadata llama.cpp's
// convert_hf_to_gguf.py would write for this tokenizer:
//
//   - byte-level BPE → "gpt2" with the pre-tokenizer name of its split
//     ("gpt-2", "llama-bpe", "qwen2"), the tokens, and the merges in rank
//     order; added tokens are control tokens when special (or when they
//     look special: <|...|>), else user-defined; holes are "[PADn]"
//     unused tokens;
//   - SentencePiece-style BPE (the Llama 2 normalizer or a Metaspace
//     pre-tokenizer, byte fallback) → "llama" with byte tokens typed 6, the
//     unk token 2, special added tokens 3, and scores that rank the
//     merges as the merge list does: a token's score is minus the rank of
//     the first merge that makes it (what a SentencePiece tokenizer.model
//     holds; LlamaHfVocab's placeholder -1000 for every token would leave
//     llama.cpp merging leftmost first). Single characters score below
//     every merged token, control/byte/unknown tokens 0, user-defined -1000.
//
// BOS is the post-processor's first token (AddBOS when there is one), EOS
// the end-of-text token (AddEOS when the post-processor appends it), UNK
// the model's unk token; PAD and SEP are -1 (they live in
// tokenizer_config.json, which a Tokenizer does not keep).
//
// A Metaspace layout with prepend_scheme "first" becomes "llama", whose
// GGUF semantics (llama.cpp's add_space_prefix) prepend "▁" to the text
// after every special token too: the two differ on such text only.
// Tokenizers GGUF cannot express are refused: other split patterns,
// add_prefix_space, NFC without the Qwen split, several prefix or suffix
// tokens, a Metaspace that splits words or never prepends.
func (t *Tokenizer) GGUF() (*GGUFVocab, error) {
	n := len(t.vocab)
	v := &GGUFVocab{BOS: -1, EOS: t.eos, UNK: -1, PAD: -1, SEP: -1, ChatTemplate: t.chatTemplate}
	switch len(t.prefix) {
	case 0:
	case 1:
		v.BOS, v.AddBOS = t.prefix[0], true
	default:
		return nil, fmt.Errorf("tokenizer: GGUF: the post-processor adds %d tokens before the text; GGUF has one bos token", len(t.prefix))
	}
	switch {
	case len(t.suffix) == 0:
	case len(t.suffix) == 1 && t.eos >= 0 && t.suffix[0] == t.eos:
		v.AddEOS = true
	default:
		return nil, fmt.Errorf("tokenizer: GGUF: the post-processor appends %v; GGUF can only append the eos token", t.suffix)
	}
	v.Tokens = make([]string, n)
	v.Types = make([]int32, n)
	for i, s := range t.vocab {
		switch a := t.addedBy[i]; {
		case s == "":
			v.Tokens[i], v.Types[i] = fmt.Sprintf("[PAD%d]", i), GGUFTokenUnused
		case a != nil && (a.special || looksSpecial(a.content)):
			v.Tokens[i], v.Types[i] = a.content, GGUFTokenControl
		case a != nil:
			// convert_hf_to_gguf.py pre-normalizes user-defined spaces.
			v.Tokens[i], v.Types[i] = strings.ReplaceAll(a.content, "▁", " "), GGUFTokenUserDefined
		default:
			v.Tokens[i], v.Types[i] = s, GGUFTokenNormal
		}
	}
	order := make([][3]int32, 0, len(t.merges)) // rank, a, b
	for k, m := range t.merges {
		order = append(order, [3]int32{m.rank, k[0], k[1]})
	}
	sort.Slice(order, func(i, j int) bool { return order[i][0] < order[j][0] })

	if t.byteLevel {
		return t.ggufBPEVocab(v, order)
	}
	return t.ggufSPMVocab(v, order)
}

func (t *Tokenizer) ggufBPEVocab(v *GGUFVocab, order [][3]int32) (*GGUFVocab, error) {
	v.Model = "gpt2"
	if t.prefixSpace {
		return nil, errors.New("tokenizer: GGUF: ByteLevel add_prefix_space has no GGUF equivalent")
	}
	if t.meta || len(t.dec.replaces) > 0 || t.dec.metaspace || t.dec.byteFallback {
		return nil, errors.New("tokenizer: GGUF: byte-level vocabulary with a Metaspace/Replace/ByteFallback step has no GGUF equivalent")
	}
	for _, op := range t.normOps {
		if !op.isNFC || t.splitKind != "qwen2" {
			return nil, errors.New("tokenizer: GGUF: a normalizer other than the Qwen pre-tokenizer's NFC has no GGUF equivalent")
		}
	}
	switch t.splitKind {
	case "gpt2":
		v.Pre = "gpt-2"
	case "llama3":
		v.Pre = "llama-bpe"
	case "qwen2":
		v.Pre = "qwen2"
		if !t.nfc {
			return nil, errors.New("tokenizer: GGUF: the Qwen split without its NFC normalizer has no GGUF equivalent")
		}
	default:
		return nil, errors.New("tokenizer: GGUF: a byte-level vocabulary without the GPT-2, Llama 3 or Qwen split has no tokenizer.ggml.pre name")
	}
	if t.ignoreMerges != (t.splitKind == "llama3") {
		return nil, fmt.Errorf("tokenizer: GGUF: ignore_merges %v with the %s split has no GGUF equivalent (llama.cpp ignores merges with the Llama 3 split only)", t.ignoreMerges, t.splitKind)
	}
	for id, s := range t.vocab {
		if v.Types[id] == GGUFTokenNormal && strings.Contains(s, " ") {
			return nil, fmt.Errorf("tokenizer: GGUF: byte-level token %d %q contains a space", id, s)
		}
	}
	v.Merges = make([]string, len(order))
	for i, o := range order {
		v.Merges[i] = t.vocab[o[1]] + " " + t.vocab[o[2]]
	}
	return v, nil
}

func (t *Tokenizer) ggufSPMVocab(v *GGUFVocab, order [][3]int32) (*GGUFVocab, error) {
	v.Model, v.Pre = "llama", "default"
	prepend := len(t.normOps) == 2 && t.normOps[0].prepend == "▁" && !t.normOps[0].isNFC && !t.normOps[0].isRep &&
		t.normOps[1].isRep && t.normOps[1].from == " " && t.normOps[1].to == "▁" && !t.meta
	meta := len(t.normOps) == 0 && t.meta && t.metaRepl == "▁" && !t.metaSplit && (t.metaPrepend == "always" || t.metaPrepend == "first")
	if !prepend && !meta {
		return nil, errors.New("tokenizer: GGUF: a non-byte-level vocabulary needs the SentencePiece layout (Prepend(\"▁\")+Replace(\" \"→\"▁\") normalizer, or a non-splitting Metaspace that prepends ▁)")
	}
	if t.split != nil || t.ignoreMerges || !t.byteFallback {
		return nil, errors.New("tokenizer: GGUF: a SentencePiece vocabulary needs byte_fallback, no Split pre-tokenizer and no ignore_merges")
	}
	okDec := (len(t.dec.replaces) == 1 && t.dec.replaces[0] == [2]string{"▁", " "} && !t.dec.metaspace) ||
		(len(t.dec.replaces) == 0 && t.dec.metaspace && t.dec.metaRepl == "▁" && t.dec.metaStrip)
	if !okDec || !t.dec.byteFallback || t.dec.byteLevel || (!t.dec.metaspace && t.dec.stripStart != 1) {
		return nil, errors.New("tokenizer: GGUF: a SentencePiece vocabulary needs the Replace(▁→ )+ByteFallback+Fuse+Strip or Metaspace decoder")
	}
	if t.unk >= 0 {
		v.UNK = int(t.unk)
		if t.addedBy[v.UNK] == nil || t.addedBy[v.UNK].special {
			v.Types[v.UNK] = GGUFTokenUnknown
		}
	}
	for i, s := range t.vocab {
		if v.Types[i] == GGUFTokenNormal && byteTokenRe.MatchString(s) {
			v.Types[i] = GGUFTokenByte
		}
	}
	// Scores: minus the rank of the first merge that makes the token.
	first := make([]int64, len(t.vocab))
	for i := range first {
		first[i] = -1
	}
	for _, o := range order {
		id := t.merges[[2]int32{o[1], o[2]}].id
		if first[id] < 0 {
			first[id] = int64(o[0])
		}
	}
	last := int64(0)
	for _, o := range order {
		last = int64(o[0]) + 1
	}
	v.Scores = make([]float32, len(t.vocab))
	for i := range v.Scores {
		var s int64
		switch v.Types[i] {
		case GGUFTokenNormal:
			if first[i] >= 0 {
				s = first[i]
			} else {
				s = last + int64(i)
			}
		case GGUFTokenUserDefined, GGUFTokenUnused:
			v.Scores[i] = -1000
			continue
		default:
			continue
		}
		if s >= 1<<24 {
			return nil, fmt.Errorf("tokenizer: GGUF: merge rank %d does not fit a float32 score exactly", s)
		}
		v.Scores[i] = -float32(s)
	}
	// GGUF keeps no merge list: llama.cpp merges every way of writing a
	// normal token as two tokens, ranked by the token's score. That equals
	// this merge list only when the list holds every such split, makes
	// normal tokens only, and keeps the splits of one token together.
	prev, seen := int32(-1), make(map[int32]bool)
	for _, o := range order {
		id := t.merges[[2]int32{o[1], o[2]}].id
		if v.Types[id] != GGUFTokenNormal {
			return nil, fmt.Errorf("tokenizer: GGUF: merge %q %q makes token %d %q, which is not a normal token", t.vocab[o[1]], t.vocab[o[2]], id, t.vocab[id])
		}
		if id != prev && seen[id] {
			return nil, fmt.Errorf("tokenizer: GGUF: the merges making token %d %q are not consecutive; scores cannot rank them", id, t.vocab[id])
		}
		prev, seen[id] = id, true
	}
	splits := 0
	for i, s := range t.vocab {
		if v.Types[i] != GGUFTokenNormal {
			continue
		}
		for k := 1; k < len(s); k++ {
			if !utf8.RuneStart(s[k]) {
				continue
			}
			if _, ok := t.ids[s[:k]]; ok {
				if _, ok := t.ids[s[k:]]; ok {
					splits++
				}
			}
		}
	}
	if splits != len(t.merges) {
		return nil, fmt.Errorf("tokenizer: GGUF: the vocabulary has %d splits of normal tokens into two tokens but the merge list %d; llama.cpp would merge all of them", splits, len(t.merges))
	}
	return v, nil
}
