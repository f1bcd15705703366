package tokenizer_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// The reference files come from scripts/tokenizer-refs (make tokenizer-refs):
// the published tokenizer.json files encoded with @huggingface/tokenizers.

type refRow struct {
	Text     string `json:"text"`
	IDs      []int  `json:"ids"`
	IDsPlain []int  `json:"ids_plain"`
	Decoded  string `json:"decoded"`
}

var (
	refMu   sync.Mutex
	refToks = map[string]*tokenizer.Tokenizer{}
)

func gunzip(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func published(t testing.TB, name string) *tokenizer.Tokenizer {
	t.Helper()
	refMu.Lock()
	defer refMu.Unlock()
	if tok, ok := refToks[name]; ok {
		return tok
	}
	tok, err := tokenizer.Parse(gunzip(t, filepath.Join("testdata", name+".tokenizer.json.gz")))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	refToks[name] = tok
	return tok
}

func refRows(t testing.TB, name string) []refRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".refs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Texts []refRow `json:"texts"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Texts) < 30 {
		t.Fatalf("%s: only %d reference texts", name, len(f.Texts))
	}
	return f.Texts
}

var families = []string{"gpt2", "llama3", "qwen3", "llama2", "metaspace"}

func TestPublishedReferences(t *testing.T) {
	for _, name := range families {
		t.Run(name, func(t *testing.T) {
			tok := published(t, name)
			for _, r := range refRows(t, name) {
				if got := tok.Encode(r.Text); !reflect.DeepEqual(got, r.IDs) {
					t.Errorf("Encode(%q)\n got %v\nwant %v", r.Text, got, r.IDs)
				}
				if got := tok.EncodeNoSpecial(r.Text); !reflect.DeepEqual(got, r.IDsPlain) {
					t.Errorf("EncodeNoSpecial(%q)\n got %v\nwant %v", r.Text, got, r.IDsPlain)
				}
				got, err := tok.Decode(r.IDsPlain)
				if err != nil {
					t.Errorf("Decode(%v): %v", r.IDsPlain, err)
				} else if got != r.Decoded {
					t.Errorf("Decode(%v) = %q, want %q", r.IDsPlain, got, r.Decoded)
				}
			}
		})
	}
}

// Round trip: every reference text without added tokens decodes back to
// itself (the references show HF does the same).
func TestPublishedRoundTrip(t *testing.T) {
	for _, name := range families {
		tok := published(t, name)
		n := 0
		for _, r := range refRows(t, name) {
			if r.Decoded != r.Text {
				continue
			}
			n++
			got, err := tok.Decode(tok.EncodeNoSpecial(r.Text))
			if err != nil || got != r.Text {
				t.Errorf("%s: round trip %q -> %q, %v", name, r.Text, got, err)
			}
		}
		if n < 30 {
			t.Errorf("%s: only %d texts round-trip", name, n)
		}
	}
}

func TestPublishedSpecialTokens(t *testing.T) {
	cases := []struct {
		name       string
		bos        int
		eos        int
		lookups    map[string]int
		notPresent string
	}{
		{"gpt2", -1, 50256, map[string]int{"<|endoftext|>": 50256}, "<|im_end|>"},
		{"llama3", 128000, 128001, map[string]int{"<|eot_id|>": 128009, "<|begin_of_text|>": 128000, "<|start_header_id|>": 128006}, "</s>"},
		{"qwen3", -1, 151643, map[string]int{"<|im_end|>": 151645, "<|im_start|>": 151644, "<|endoftext|>": 151643}, "<|eot_id|>"},
		{"llama2", 1, 2, map[string]int{"</s>": 2, "<s>": 1, "<unk>": 0}, "<|endoftext|>"},
	}
	for _, c := range cases {
		tok := published(t, c.name)
		if tok.BOS() != c.bos || tok.AddsBOS() != (c.bos >= 0) || tok.EOS() != c.eos {
			t.Errorf("%s: BOS %d AddsBOS %v EOS %d, want %d %v %d", c.name, tok.BOS(), tok.AddsBOS(), tok.EOS(), c.bos, c.bos >= 0, c.eos)
		}
		for s, want := range c.lookups {
			if id, ok := tok.TokenID(s); !ok || id != want {
				t.Errorf("%s: TokenID(%q) = %d %v, want %d", c.name, s, id, ok, want)
			}
		}
		if _, ok := tok.TokenID(c.notPresent); ok {
			t.Errorf("%s: TokenID(%q) found", c.name, c.notPresent)
		}
		// Literal: added tokens in the text stay text.
		text := "a " + firstKey(c.lookups) + " b"
		lit := tok.EncodeWith(text, tokenizer.EncodeOptions{Literal: true, NoSpecialTokens: true})
		for _, id := range lit {
			if tok.IsSpecial(id) {
				t.Errorf("%s: literal encoding of %q produced special id %d", c.name, text, id)
			}
		}
		if back, _ := tok.Decode(lit); back != text {
			t.Errorf("%s: literal round trip %q -> %q", c.name, text, back)
		}
	}
}

func firstKey(m map[string]int) string {
	best := ""
	for k := range m {
		if best == "" || k < best {
			best = k
		}
	}
	return best
}

func BenchmarkEncode(b *testing.B) {
	for _, name := range families {
		b.Run(name, func(b *testing.B) {
			tok := published(b, name)
			var text []byte
			for _, r := range refRows(b, name) {
				text = append(text, r.Text...)
				text = append(text, '\n')
			}
			s := string(text)
			n := len(tok.Encode(s))
			b.SetBytes(int64(len(s)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tok.Encode(s)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
