package tokenizer

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand"
	"os"
	"reflect"
	"testing"
)

// The priority-queue merge (long words) and the scan (short words) give
// the same symbols on words of every length, with the published merges.
func TestMergeHeapEqualsScan(t *testing.T) {
	for _, name := range []string{"llama2", "gpt2"} {
		b, err := os.ReadFile("testdata/" + name + ".tokenizer.json.gz")
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		js, _ := io.ReadAll(zr)
		tok, err := Parse(js)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(1))
		alphabet := []string{"a", "b", "e", "t", "h", " ", "▁", "in", "er", "é", "東", "🚀", "\n", "aa", "ll"}
		merged := 0
		for n := 0; n < 400; n++ {
			var w string
			for k := rng.Intn(120); k >= 0; k-- {
				w += alphabet[rng.Intn(len(alphabet))]
			}
			syms := tok.wordSymbols(w)
			a := tok.mergeScan(append([]int32(nil), syms...))
			h := tok.mergeHeap(append([]int32(nil), syms...))
			if !reflect.DeepEqual(a, h) {
				t.Fatalf("%s %q: scan %v heap %v", name, w, a, h)
			}
			if len(a) < len(syms) {
				merged++
			}
		}
		if merged < 300 {
			t.Fatalf("%s: only %d words merged anything", name, merged)
		}
	}
}

// BenchmarkEncodeCold: the per-word cache emptied before every Encode, so
// every word goes through BPE (the first pass over new text).
func BenchmarkEncodeCold(b *testing.B) {
	for _, name := range []string{"gpt2", "llama3", "qwen3", "llama2"} {
		b.Run(name, func(b *testing.B) {
			raw, err := os.ReadFile("testdata/" + name + ".tokenizer.json.gz")
			if err != nil {
				b.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				b.Fatal(err)
			}
			js, _ := io.ReadAll(zr)
			tok, err := Parse(js)
			if err != nil {
				b.Fatal(err)
			}
			refs, err := os.ReadFile("testdata/" + name + ".refs.json")
			if err != nil {
				b.Fatal(err)
			}
			text := string(refs) // JSON, code, CJK, emoji, escapes: varied text
			n := len(tok.Encode(text))
			b.SetBytes(int64(len(text)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tok.cacheMu.Lock()
				tok.cache = map[string][]int32{}
				tok.cacheMu.Unlock()
				tok.Encode(text)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
