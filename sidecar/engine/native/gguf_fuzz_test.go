package native

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cortnet/cortd/sidecar/models"
)

// FuzzLoadGGUF: whatever the bytes of a .gguf file, Load returns a model
// or an error, never panics; a model it returns computes (its metadata,
// tokenizer keys and tensors were all checked). Seeds: small llama and
// GPT-2 files in q8_0 and q4_0.
func FuzzLoadGGUF(f *testing.F) {
	for _, arch := range []string{"llama3", "gpt2"} {
		dir := filepath.Join(f.TempDir(), arch)
		spec := models.Spec{Arch: arch, Layers: 1, Dim: 32, Heads: 2, KVHeads: 1, FF: 64, Vocab: "bytes", Context: 16, Seed: 5}
		if _, err := models.Init(spec, dir); err != nil {
			f.Fatal(err)
		}
		for _, mix := range []string{"q8_0", "q4_0"} {
			out := filepath.Join(f.TempDir(), arch+mix+".gguf")
			if err := ConvertToGGUF(dir, out, mix, nil); err != nil {
				f.Fatal(err)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "m.gguf")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(p)
		if err != nil {
			return
		}
		if _, err := m.Loss(t.Context(), []int{1, 2, 3}); err != nil {
			t.Fatalf("loaded model fails: %v", err)
		}
	})
}
