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
