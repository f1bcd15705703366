package native

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"runtime"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/models"
)

// goldens are sha256s of every output bit (embedding, loss, greedy and
// sampled tokens) of the tiny models. They were produced by this test; if
// a change moves a single bit, the audit reference has changed and the
// test fails. Update them only for an intended numeric change.
var goldens = map[string]string{
	"gpt2-tiny":    "acc9b744e01fdcec21bb62512debe271821a2b55f0afc3d2850ab8e1e279acf5",
	"llama-tiny":   "2831e406d6ba8c17652d3441608b5d6ee877fef10e4a74ef0165ac4f49d6fdd0",
	"llama3-tiny":  "4b841e6dde24c05c7542c081d205433244eea43e98deb4c9c1aef3718aaae683",
	"mistral-tiny": "05ac7e3aed3c99078006afa38bec1815072a710af6b46342154148c169dedf96",
	"qwen2-tiny":   "d6d24b5496c35ba567a2b192ebf497374aa39b3f1bd97e6d25c3bcadced8da2f",
	"qwen3-tiny":   "06bd372a81e3d6e28503b5b5c184338524fdf50c14d1b33c8b46b7658aac2e59",
}

// familyTinySpecs are the other families' maths (llama3 rope scaling, tied
// head; mistral; qwen2 q/k/v biases; qwen3 q/k norms and head_dim 32 with
// hidden 64 over 4 heads), with byte tokenizers so generation runs too.
var familyTinySpecs = map[string]models.Spec{
	"llama3-tiny":  {Arch: "llama3", Layers: 2, Dim: 64, Heads: 4, KVHeads: 2, Vocab: "bytes", Context: 128, Seed: 3},
	"mistral-tiny": {Arch: "mistral", Layers: 2, Dim: 64, Heads: 4, KVHeads: 1, Vocab: "bytes", Context: 128, Seed: 4, DType: "BF16"},
	"qwen2-tiny":   {Arch: "qwen2", Layers: 2, Dim: 64, Heads: 4, KVHeads: 2, Vocab: "bytes", Context: 128, Seed: 5, Shards: 2},
	"qwen3-tiny":   {Arch: "qwen3", Layers: 2, Dim: 64, Heads: 4, KVHeads: 2, Vocab: "bytes", Context: 128, Seed: 6, DType: "F16"},
}

func outputHash(t *testing.T, m *Model) string {
	ctx := context.Background()
	h := sha256.New()
	put := func(v uint64) { binary.Write(h, binary.LittleEndian, v) }
	texts := []string{"The quick brown fox jumps over the lazy dog.", "a", "Determinism is what audits rely on: same bits everywhere."}
	for _, txt := range texts {
		ids := m.Tok.Encode(txt)
		emb, err := m.Embed(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range emb {
			put(uint64(math.Float32bits(v)))
		}
		if len(ids) > 1 {
			l, err := m.Loss(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			put(math.Float64bits(l.Loss))
		}
	}
	for _, p := range []engine.Params{{MaxTokens: 24}, {MaxTokens: 24, Temperature: 0.8, TopP: 0.9, TopK: 40, Seed: 42}} {
		c, err := m.Generate(ctx, "Once upon a time", p, nil)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(c.Text))
		put(uint64(c.Usage.CompletionTokens))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestDeterminism: identical bits on every kernel path (AVX-512, AVX2,
// portable), with one thread and with work split across threads, and equal
// to the committed golden hash.
func TestDeterminism(t *testing.T) {
	defer kernels.Use(kernels.Current())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer kernels.SetParallelMin(kernels.SetParallelMin(1 << 21))
	for _, name := range allTinyNames() {
		m, _ := tinyModel(t, name)
		first := ""
		for _, path := range kernels.Available() {
			kernels.Use(path)
			for _, procs := range []int{1, 4} {
				runtime.GOMAXPROCS(procs)
				// Threshold 1: every product is split across threads.
				kernels.SetParallelMin(1)
				got := outputHash(t, m)
				kernels.SetParallelMin(1 << 21)
				if first == "" {
					first = got
					t.Logf("%s: %s", name, got)
				}
				if got != first {
					t.Fatalf("%s: path %s with GOMAXPROCS=%d gave %s, first run %s", name, path, procs, got, first)
				}
			}
		}
		if want := goldens[name]; want != "" && first != want {
			t.Fatalf("%s: output hash %s, golden %s: a numeric change moved bits", name, first, want)
		} else if want == "" {
			t.Errorf("%s: no golden hash committed; got %s", name, first)
		}
	}
}
