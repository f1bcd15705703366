package tokenizer_test

import (
	"testing"
	"unicode/utf8"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// FuzzGPT2RoundTrip: any byte string must encode to valid ids that decode
// back to exactly the same bytes.
func FuzzGPT2RoundTrip(f *testing.F) {
	for _, c := range gpt2Cases {
		f.Add(c.text)
	}
	f.Add("\xff\xfe\x00 'll 've\n\n\n x")
	tok := gpt2(f)
	f.Fuzz(func(t *testing.T, s string) {
		ids := tok.EncodeWith(s, tokenizer.EncodeOptions{Literal: true})
		if len(ids) > len(s) {
			t.Fatalf("%d ids for %d bytes", len(ids), len(s))
		}
		back, err := tok.Decode(ids)
		if err != nil {
			t.Fatal(err)
		}
		if back != s {
			t.Fatalf("round trip %q -> %q", s, back)
		}
		if utf8.ValidString(s) != utf8.ValidString(back) {
			t.Fatal("validity changed")
		}
	})
}

// FuzzPublished: every published tokenizer encodes any input (added tokens
// and invalid UTF-8 included) to ids inside its vocabulary that decode
// without error; the byte-level ones without a normalizer give the input
// back exactly.
func FuzzPublished(f *testing.F) {
	f.Add("Hello <|eot_id|> <|im_end|></s><s> 'S 'LL 1234567 \r\n\n \t x\xff\xc3")
	f.Add("  \n\n  ")
	f.Add("é東京🚀")
	toks := map[string]*tokenizer.Tokenizer{}
	for _, n := range families {
		toks[n] = published(f, n)
	}
	exact := map[string]bool{"gpt2": true, "llama3": true}
	f.Fuzz(func(t *testing.T, s string) {
		for name, tok := range toks {
			ids := tok.Encode(s)
			for _, id := range ids {
				if id < 0 || id >= tok.VocabSize() {
					t.Fatalf("%s: id %d out of range", name, id)
				}
			}
			back, err := tok.Decode(tok.EncodeNoSpecial(s))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if exact[name] && back != s {
				t.Fatalf("%s: round trip %q -> %q", name, s, back)
			}
		}
	})
}

// FuzzParse: no tokenizer.json, however malformed, makes Parse panic; what
// it accepts encodes and decodes without panicking.
func FuzzParse(f *testing.F) {
	js, _ := tokenizer.ByteLevelJSON()
	f.Add(js)
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2,"<0x41>":3},"merges":["a b"],"byte_fallback":true,"unk_token":"a"},"normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"b"},{"type":"Replace","pattern":{"String":" "},"content":"a"}]},"pre_tokenizer":{"type":"Metaspace","prepend_scheme":"first"},"decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"a"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]},"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"x"}},{"Sequence":{"id":"A"}}],"special_tokens":{"x":{"ids":[4]}}},"added_tokens":[{"id":4,"content":"xy","special":true,"lstrip":true,"rstrip":true,"single_word":true}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := tokenizer.Parse(b)
		if err != nil {
			return
		}
		for _, s := range []string{"", "ab a\xffxy A b", " xy ", "é"} {
			ids := tok.Encode(s)
			for _, id := range ids {
				if id < 0 || id >= tok.VocabSize() {
					t.Fatalf("id %d out of range", id)
				}
			}
			_, _ = tok.Decode(ids)
		}
	})
}
