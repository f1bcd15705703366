package tokenizer_test

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

var (
	ggufMu   sync.Mutex
	ggufToks = map[string]*tokenizer.Tokenizer{}
	ggufVocs = map[string]*tokenizer.GGUFVocab{}
)

// viaGGUF is the published tokenizer written as GGUF metadata and read back.
func viaGGUF(t testing.TB, name string) (*tokenizer.Tokenizer, *tokenizer.GGUFVocab) {
	t.Helper()
	src := published(t, name)
	ggufMu.Lock()
	defer ggufMu.Unlock()
	if tok, ok := ggufToks[name]; ok {
		return tok, ggufVocs[name]
	}
	v, err := src.GGUF()
	if err != nil {
		t.Fatalf("%s: GGUF: %v", name, err)
	}
	tok, err := tokenizer.FromGGUF(v)
	if err != nil {
		t.Fatalf("%s: FromGGUF: %v", name, err)
	}
	ggufToks[name], ggufVocs[name] = tok, v
	return tok, v
}

// metaspaceDiffers reports whether GGUF's SentencePiece semantics (a "▁"
// in front of every stretch of text between special tokens, whatever it
// starts with: llama.cpp's add_space_prefix, the Llama 2 layout) and a
// Metaspace pre-tokenizer with prepend_scheme "first" (no "▁" after a
// special token, none added in front of a leading space) can tokenize text
// differently.
func metaspaceDiffers(text string) bool {
	if strings.HasPrefix(text, " ") {
		return true
	}
	for _, s := range []string{"<s>", "</s>", "<unk>"} {
		if i := strings.Index(text, s); i >= 0 && i+len(s) < len(text) {
			return true
		}
	}
	return false
}

func TestGGUFRoundTripPublished(t *testing.T) {
	for _, name := range families {
		t.Run(name, func(t *testing.T) {
			src := published(t, name)
			tok, _ := viaGGUF(t, name)
			if tok.VocabSize() != src.VocabSize() || tok.EOS() != src.EOS() || tok.BOS() != src.BOS() || tok.AddsBOS() != src.AddsBOS() {
				t.Errorf("vocab %d eos %d bos %d adds %v, want %d %d %d %v", tok.VocabSize(), tok.EOS(), tok.BOS(), tok.AddsBOS(),
					src.VocabSize(), src.EOS(), src.BOS(), src.AddsBOS())
			}
			var llama2 *tokenizer.Tokenizer
			if name == "metaspace" {
				llama2 = published(t, "llama2")
			}
			diffs := 0
			for _, r := range refRows(t, name) {
				want, wantPlain, decoded := r.IDs, r.IDsPlain, r.Decoded
				if llama2 != nil {
					// GGUF cannot say "first": the result is the Llama 2
					// layout's (same vocabulary), which is what llama.cpp
					// does with a Mistral v0.3 GGUF file.
					want, wantPlain = llama2.Encode(r.Text), llama2.EncodeNoSpecial(r.Text)
					if !reflect.DeepEqual(want, r.IDs) {
						diffs++
						if !metaspaceDiffers(r.Text) {
							t.Errorf("%q: Llama 2 and Metaspace layouts differ unexpectedly", r.Text)
						}
						decoded, _ = llama2.Decode(wantPlain)
					}
				}
				if got := tok.Encode(r.Text); !reflect.DeepEqual(got, want) {
					t.Errorf("Encode(%q)\n got %v\nwant %v", r.Text, got, want)
				}
				if got := tok.EncodeNoSpecial(r.Text); !reflect.DeepEqual(got, wantPlain) {
					t.Errorf("EncodeNoSpecial(%q)\n got %v\nwant %v", r.Text, got, wantPlain)
				}
				if got, err := tok.Decode(wantPlain); err != nil || got != decoded {
					t.Errorf("Decode(%v) = %q, %v; want %q", wantPlain, got, err, decoded)
				}
				if decoded == r.Text {
					if got, err := tok.Decode(tok.EncodeNoSpecial(r.Text)); err != nil || got != r.Text {
						t.Errorf("round trip %q -> %q, %v", r.Text, got, err)
					}
				}
			}
			t.Logf("%s: %d reference texts where GGUF semantics differ from tokenizer.json", name, diffs)
			if (name == "metaspace") != (diffs > 0) {
				t.Errorf("%s: %d texts differ", name, diffs)
			}
		})
	}
}
