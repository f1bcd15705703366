package tokenizer_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
	"github.com/cortnet/cortd/sidecar/models"
)

var (
	gpt2Once sync.Once
	gpt2Tok  *tokenizer.Tokenizer
	gpt2Err  error
)

func gpt2(t testing.TB) *tokenizer.Tokenizer {
	gpt2Once.Do(func() {
		js, err := models.GPT2TokenizerJSON()
		if err != nil {
			gpt2Err = err
			return
		}
		gpt2Tok, gpt2Err = tokenizer.Parse(js)
	})
	if gpt2Err != nil {
		t.Fatal(gpt2Err)
	}
	return gpt2Tok
}

// Expected ids come from the reference JavaScript encoder in the npm package
// gpt-3-encoder 1.1.4 (node -e "require('./Encoder.js').encode(...)").
var gpt2Cases = []struct {
	text string
	ids  []int
}{
	{"Hello world", []int{15496, 995}},
	{"The quick brown fox jumps over the lazy dog.", []int{464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13}},
	{"it's  a   test\n\nwith newlines\tand tabs", []int{270, 338, 220, 257, 220, 220, 1332, 198, 198, 4480, 649, 6615, 197, 392, 22524}},
	{"naïve café 東京 🚀", []int{2616, 38776, 40304, 10545, 251, 109, 12859, 105, 12520, 248, 222}},
	{"12345 3.14159 x=y+z;", []int{10163, 2231, 513, 13, 1415, 19707, 2124, 28, 88, 10, 89, 26}},
	{"  leading and trailing  ", []int{220, 3756, 290, 25462, 220, 220}},
	{"don't stop believin'", []int{9099, 470, 2245, 1250, 7114, 6}},
	{"GPT-2's tokenizer: byte-level BPE!", []int{38, 11571, 12, 17, 338, 11241, 7509, 25, 18022, 12, 5715, 347, 11401, 0}},
}

func TestGPT2KnownEncodings(t *testing.T) {
	tok := gpt2(t)
	if tok.VocabSize() != 50257 || tok.EOS() != 50256 {
		t.Fatalf("vocab %d eos %d", tok.VocabSize(), tok.EOS())
	}
	for _, c := range gpt2Cases {
		got := tok.Encode(c.text)
		if !reflect.DeepEqual(got, c.ids) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.ids)
		}
		back, err := tok.Decode(c.ids)
		if err != nil || back != c.text {
			t.Errorf("Decode(%v) = %q, %v", c.ids, back, err)
		}
	}
	if s, _ := tok.Decode([]int{50256}); s != "<|endoftext|>" {
		t.Errorf("eos decodes to %q", s)
	}
	// As in HF's encode, an added token written in the text is its id;
	// Literal keeps it ordinary text.
	if ids := tok.Encode("<|endoftext|>"); !reflect.DeepEqual(ids, []int{50256}) {
		t.Errorf("special token in text: %v", ids)
	}
	if ids := tok.EncodeWith("<|endoftext|>", tokenizer.EncodeOptions{Literal: true}); len(ids) == 1 {
		t.Errorf("literal text became the special token: %v", ids)
	}
}

func TestRoundTrip(t *testing.T) {
	js, err := tokenizer.ByteLevelJSON()
	if err != nil {
		t.Fatal(err)
	}
	bt, err := tokenizer.Parse(js)
	if err != nil {
		t.Fatal(err)
	}
	if bt.VocabSize() != 257 || bt.EOS() != 256 {
		t.Fatalf("byte tokenizer vocab %d eos %d", bt.VocabSize(), bt.EOS())
	}
	if ids := bt.Encode("Az\xff"); !reflect.DeepEqual(ids, []int{'A', 'z', 0xff}) {
		t.Fatalf("byte ids %v", ids)
	}
	texts := []string{"", "a", "\x00\x01\xff\xfe invalid \xc3", strings.Repeat("hello, world! ", 50), "tabs\t\t\nand\r\n  spaces   ", "mixed 123abc ١٢٣ ÆØÅ"}
	for _, tok := range []*tokenizer.Tokenizer{bt, gpt2(t)} {
		for _, s := range texts {
			back, err := tok.Decode(tok.Encode(s))
			if err != nil || back != s {
				t.Errorf("round trip %q -> %q (%v)", s, back, err)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tok := gpt2(t)
	for _, ids := range [][]int{{-1}, {50257}, {1 << 40}} {
		if _, err := tok.Decode(ids); err == nil {
			t.Errorf("Decode(%v) accepted", ids)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const bl = `"pre_tokenizer":{"type":"ByteLevel"}`
	vocab := func(extra string) string {
		b, _ := tokenizer.BPEJSON(byteVocab(), nil)
		var doc map[string]any
		_ = json.Unmarshal(b, &doc)
		if extra != "" {
			var e map[string]any
			if err := json.Unmarshal([]byte(extra), &e); err != nil {
				panic(err)
			}
			for k, v := range e {
				doc[k] = v
			}
		}
		out, _ := json.Marshal(doc)
		return string(out)
	}
	bad := []struct{ name, js, want string }{
		{"not json", `{`, "bad JSON"},
		{"wrong shape", `{"model":[]}`, "bad JSON"},
		{"wordpiece", `{"model":{"type":"WordPiece","vocab":{}}}`, "model.type"},
		{"unigram", `{"model":{"type":"Unigram","vocab":[]}}`, "bad JSON"},
		{"no model", `{}`, "model.type"},
		{"missing byte", `{"model":{"type":"BPE","vocab":{"a":0}},` + bl + `}`, "byte 0x0"},
		{"bad id", `{"model":{"type":"BPE","vocab":{"a":-5}}}`, "outside the vocabulary"},
		{"id twice", `{"model":{"type":"BPE","vocab":{"a":0,"b":0}}}`, "used twice"},
		{"huge added", `{"model":{"type":"BPE","vocab":{}},"added_tokens":[{"id":99999999,"content":"x"}]}`, "exceeds"},
		{"negative added", `{"model":{"type":"BPE","vocab":{}},"added_tokens":[{"id":-1,"content":"x"}]}`, "negative id"},
		{"empty added", `{"model":{"type":"BPE","vocab":{}},"added_tokens":[{"id":0,"content":""}]}`, "empty content"},
		{"added twice", `{"model":{"type":"BPE","vocab":{}},"added_tokens":[{"id":0,"content":"x"},{"id":0,"content":"y"}]}`, "listed twice"},
		{"added id clash", `{"model":{"type":"BPE","vocab":{"x":0}},"added_tokens":[{"id":1,"content":"x"}]}`, "vocabulary says"},
		{"subword prefix", `{"model":{"type":"BPE","vocab":{},"continuing_subword_prefix":"##"}}`, "continuing_subword_prefix"},
		{"word suffix", `{"model":{"type":"BPE","vocab":{},"end_of_word_suffix":"</w>"}}`, "end_of_word_suffix"},
		{"dropout", `{"model":{"type":"BPE","vocab":{},"dropout":0.1}}`, "dropout"},
		{"unk missing", `{"model":{"type":"BPE","vocab":{},"unk_token":"<unk>"}}`, "unk_token"},
		{"bad merge", `{"model":{"type":"BPE","vocab":{"a":0},"merges":["ab"]}}`, "merges[0]"},
		{"merge shape", `{"model":{"type":"BPE","vocab":{"a":0},"merges":[["a"]]}}`, "merges[0]"},
		{"unknown normalizer", vocab(`{"normalizer":{"type":"Lowercase"}}`), "normalizer type \"Lowercase\""},
		{"nfkc", vocab(`{"normalizer":{"type":"Sequence","normalizers":[{"type":"NFKC"}]}}`), "normalizer type \"NFKC\""},
		{"regex replace", vocab(`{"normalizer":{"type":"Replace","pattern":{"Regex":" +"},"content":" "}}`), "normalizer Replace"},
		{"unknown pretok", vocab(`{"pre_tokenizer":{"type":"Whitespace"}}`), "pre_tokenizer type \"Whitespace\""},
		{"unknown split", vocab(`{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\w+"},"behavior":"Isolated","invert":false}}`), "pattern.Regex"},
		{"split behavior", vocab(`{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"x"},"behavior":"Removed","invert":false}}`), "behavior"},
		{"split string", vocab(`{"pre_tokenizer":{"type":"Split","pattern":{"String":" "},"behavior":"Isolated"}}`), "pattern.Regex missing"},
		{"two splits", vocab(`{"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"ByteLevel","use_regex":true},{"type":"ByteLevel"}]}}`), "ByteLevel given twice"},
		{"metaspace scheme", `{"model":{"type":"BPE","vocab":{}},"pre_tokenizer":{"type":"Metaspace","prepend_scheme":"sometimes"}}`, "prepend_scheme"},
		{"unknown decoder", vocab(`{"decoder":{"type":"WordPiece"}}`), "decoder type \"WordPiece\""},
		{"strip shape", vocab(`{"decoder":{"type":"Strip","content":"x","start":1,"stop":0}}`), "decoder Strip"},
		{"unknown post", vocab(`{"post_processor":{"type":"RobertaProcessing"}}`), "post_processor type \"RobertaProcessing\""},
		{"template no A", vocab(`{"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>"}}],"special_tokens":{"<s>":{"ids":[1]}}}}`), "no $A"},
		{"template B", vocab(`{"post_processor":{"type":"TemplateProcessing","single":[{"Sequence":{"id":"B"}}]}}`), "$A"},
		{"template unknown token", vocab(`{"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>"}},{"Sequence":{"id":"A"}}],"special_tokens":{}}}`), "not in special_tokens"},
		{"nested pretok", vocab(`{"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Sequence","pretokenizers":[]}]}}`), "nested Sequence"},
		{"nested decoder", vocab(`{"decoder":{"type":"Sequence","decoders":[{"type":"Sequence","decoders":[]}]}}`), "nested Sequence"},
		{"nested post", vocab(`{"post_processor":{"type":"Sequence","processors":[{"type":"Sequence","processors":[]}]}}`), "nested Sequence"},
		{"metaspace and bytelevel", vocab(`{"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Metaspace"},{"type":"ByteLevel"}]}}`), "Metaspace with ByteLevel"},
		{"decoder replace regex", vocab(`{"decoder":{"type":"Replace","pattern":{"Regex":"x"},"content":" "}}`), "decoder Replace"},
		{"template twice", vocab(`{"post_processor":{"type":"Sequence","processors":[{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A"}}]},{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A"}}]}]}}`), "given twice"},
		{"template item both", vocab(`{"post_processor":{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A"},"SpecialToken":{"id":"x"}}]}}`), "neither"},
		{"template two A", vocab(`{"post_processor":{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A"}},{"Sequence":{"id":"A"}}]}}`), "one sequence"},
		{"bad normalizer json", vocab(`{"normalizer":{"type":7}}`), "normalizer"},
		{"bad decoder json", vocab(`{"decoder":[1]}`), "decoder"},
		{"template id range", vocab(`{"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>"}},{"Sequence":{"id":"A"}}],"special_tokens":{"<s>":{"ids":[999999]}}}}`), "outside the vocabulary"},
	}
	for _, c := range bad {
		_, err := tokenizer.Parse([]byte(c.js))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	// A merge naming a symbol outside the vocabulary.
	js, _ := tokenizer.BPEJSON(byteVocab(), []string{"a zz"})
	if _, err := tokenizer.Parse(js); err == nil || !strings.Contains(err.Error(), "not in the vocabulary") {
		t.Errorf("merge with unknown symbol: %v", err)
	}
}

func byteVocab() map[string]int {
	v := map[string]int{}
	for b := 0; b < 256; b++ {
		v[tokenizer.ByteSymbol(byte(b))] = b
	}
	return v
}

// A tiny hand-made BPE: merge order decides the result, as in GPT-2.
func TestMergeRanks(t *testing.T) {
	v := byteVocab()
	v["ab"], v["bc"], v["abc"] = 256, 257, 258
	js, _ := tokenizer.BPEJSON(v, []string{"b c", "a b", "a bc"})
	tok, err := tokenizer.Parse(js)
	if err != nil {
		t.Fatal(err)
	}
	// "b c" ranks first, then "a bc": abc -> a|bc -> abc.
	if got := tok.Encode("abc"); !reflect.DeepEqual(got, []int{258}) {
		t.Fatalf("abc -> %v", got)
	}
	if got := tok.Encode("abab"); !reflect.DeepEqual(got, []int{256, 256}) {
		t.Fatalf("abab -> %v", got)
	}
}

// A SentencePiece-style file by hand: Metaspace (always, split), byte
// fallback, unk with fuse_unk, the Metaspace decoder, a template with a
// suffix, and added tokens with lstrip/rstrip/single_word.
func TestSentencePieceFlags(t *testing.T) {
	js := `{"model":{"type":"BPE","vocab":{"<unk>":0,"<s>":1,"</s>":2,"▁":3,"a":4,"b":5,"▁a":6,"ab":7,"▁ab":8,"<0xC3>":9,"<0xA9>":10,"[X]":11},
	  "merges":["▁ a","a b","▁a b"],"unk_token":"<unk>","fuse_unk":true,"byte_fallback":true},
	 "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},
	 "decoder":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},
	 "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>"}},{"Sequence":{"id":"A"}},{"SpecialToken":{"id":"</s>"}}],"special_tokens":{"<s>":{"ids":[1]},"</s>":{"ids":[2]}}},
	 "added_tokens":[{"id":1,"content":"<s>","special":true},{"id":2,"content":"</s>","special":true},
	   {"id":11,"content":"[X]","special":true,"lstrip":true,"rstrip":true},{"id":12,"content":"W","special":false,"single_word":true}]}`
	tok, err := tokenizer.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if tok.BOS() != 1 || !tok.AddsBOS() || !reflect.DeepEqual(tok.Suffix(), []int{2}) || !reflect.DeepEqual(tok.Prefix(), []int{1}) {
		t.Fatalf("BOS %d prefix %v suffix %v", tok.BOS(), tok.Prefix(), tok.Suffix())
	}
	cases := []struct {
		text string
		ids  []int
	}{
		{"ab", []int{1, 8, 2}},
		{"ab ab", []int{1, 8, 8, 2}},
		{"a  b", []int{1, 6, 3, 3, 5, 2}},      // split: ▁a ▁ ▁b, no ▁b token
		{"é", []int{1, 3, 9, 10, 2}},           // byte fallback
		{"xyz a", []int{1, 3, 0, 6, 2}},        // unknown chars fused into one <unk>
		{"ab  [X]  ab", []int{1, 8, 11, 8, 2}}, // lstrip and rstrip eat the spaces
		{"aW", []int{1, 6, 0, 2}},              // W inside a word is not the added token
		{"a W b", []int{1, 6, 3, 12, 3, 5, 2}}, // a single word W is
	}
	for _, c := range cases {
		if got := tok.Encode(c.text); !reflect.DeepEqual(got, c.ids) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.ids)
		}
	}
	// The Metaspace decoder drops the prepended space of the first token only.
	if s, err := tok.Decode([]int{8, 8}); err != nil || s != "ab ab" {
		t.Errorf("Decode = %q %v", s, err)
	}
	if s, _ := tok.DecodeSkipSpecial([]int{1, 8, 3, 5, 2}); s != "ab b" {
		t.Errorf("DecodeSkipSpecial = %q", s)
	}
	if b, _ := tok.TokenBytes(8); string(b) != " ab" {
		t.Errorf("TokenBytes(8) = %q", b)
	}
	// The Metaspace decoder has no ByteFallback step: HF shows <0xC3>.
	if b, _ := tok.TokenBytes(9); string(b) != "<0xC3>" {
		t.Errorf("TokenBytes(9) = %q", b)
	}
}
