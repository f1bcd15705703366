package native

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/models"
)

// tinySpecs are the small models the tests build with model init; the llama
// one uses grouped-query attention (4 query heads share 2 KV heads).
var tinySpecs = map[string]models.Spec{
	"gpt2-tiny":  {Arch: "gpt2", Layers: 2, Dim: 64, Heads: 4, Vocab: "bytes", Context: 128, Seed: 1},
	"llama-tiny": {Arch: "llama", Layers: 2, Dim: 64, Heads: 4, KVHeads: 2, Vocab: "bytes", Context: 128, Seed: 2},
}

func tinyModel(t testing.TB, name string) (*Model, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	spec, ok := tinySpecs[name]
	if !ok {
		spec = familyTinySpecs[name]
	}
	if _, err := models.Init(spec, dir); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m, dir
}

func TestForwardMatchesReference(t *testing.T) {
	ctx := context.Background()
	for name := range tinySpecs {
		t.Run(name, func(t *testing.T) {
			m, dir := tinyModel(t, name)
			ref := loadRef(t, dir)
			toks := m.Tok.Encode("The cat sat on the mat; it purred.")
			got, err := m.Loss(ctx, toks)
			if err != nil {
				t.Fatal(err)
			}
			want := ref.loss(toks)
			if got.Tokens != len(toks)-1 || math.Abs(got.Loss-want) > 1e-4*want {
				t.Fatalf("loss %v over %d tokens, reference %v", got.Loss, got.Tokens, want)
			}
			// A random model is close to uniform: the loss is near log(vocab).
			if math.Abs(want-math.Log(257)) > 0.5 {
				t.Fatalf("reference loss %v far from log(257)", want)
			}
			emb, err := m.Embed(ctx, toks)
			if err != nil {
				t.Fatal(err)
			}
			hidden, _ := ref.forward(toks)
			mean := make([]float64, len(emb))
			for _, h := range hidden {
				for i := range h {
					mean[i] += h[i] / float64(len(hidden))
				}
			}
			var nm, dot, ne float64
			for i := range mean {
				nm += mean[i] * mean[i]
				ne += float64(emb[i]) * float64(emb[i])
			}
			for i := range mean {
				dot += mean[i] / math.Sqrt(nm) * float64(emb[i])
			}
			if math.Abs(ne-1) > 1e-5 || dot < 1-1e-5 {
				t.Fatalf("embedding norm^2 %v, cosine with reference %v", ne, dot)
			}
		})
	}
}

// TestKVCacheMatchesUncached: feeding tokens one at a time through the
// cache gives the same bits as one pass over the whole sequence.
func TestKVCacheMatchesUncached(t *testing.T) {
	for name := range tinySpecs {
		m, _ := tinyModel(t, name)
		toks := m.Tok.Encode("hello there, general")
		D := m.Cfg.Dim
		full := make([]float32, len(toks)*D)
		s, _ := m.NewState(64)
		if err := s.Forward(toks, full); err != nil {
			t.Fatal(err)
		}
		s2, _ := m.NewState(64)
		step := make([]float32, D)
		for i, tk := range toks {
			if err := s2.Forward([]int{tk}, step); err != nil {
				t.Fatal(err)
			}
			for j := 0; j < D; j++ {
				if math.Float32bits(step[j]) != math.Float32bits(full[i*D+j]) {
					t.Fatalf("%s: token %d dim %d: cached %v uncached %v", name, i, j, step[j], full[i*D+j])
				}
			}
		}
	}
}

func TestGreedyGenerationMatchesUncached(t *testing.T) {
	ctx := context.Background()
	m, _ := tinyModel(t, "llama-tiny")
	prompt := m.Tok.Encode("Once upon a time")
	c, err := m.Generate(ctx, "Once upon a time", engine.Params{MaxTokens: 12}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Re-derive each token by running the whole sequence from scratch and
	// taking the argmax of the last position's logits.
	seq := append([]int(nil), prompt...)
	D, V := m.Cfg.Dim, m.Cfg.Vocab
	for i := 0; i < c.Usage.CompletionTokens; i++ {
		s, _ := m.NewState(len(seq))
		hidden := make([]float32, len(seq)*D)
		if err := s.Forward(seq, hidden); err != nil {
			t.Fatal(err)
		}
		logits := make([]float32, V)
		kernels.MatMul(logits, V, hidden[(len(seq)-1)*D:], D, 1, D, V, m.lmHead, nil)
		best := 0
		for j := 0; j < m.Tok.VocabSize(); j++ {
			if logits[j] > logits[best] {
				best = j
			}
		}
		seq = append(seq, best)
	}
	want, _ := m.Tok.Decode(seq[len(prompt):])
	if c.Text != want[:len(c.Text)] || c.Usage.PromptTokens != len(prompt) {
		t.Fatalf("generated %q, uncached %q", c.Text, want)
	}
}

func TestStreamingConcatenatesToText(t *testing.T) {
	m, _ := tinyModel(t, "gpt2-tiny")
	var pieces string
	c, err := m.Generate(context.Background(), "abc", engine.Params{MaxTokens: 20, Temperature: 0.9, Seed: 7}, func(s string) error {
		pieces += s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pieces != c.Text || c.Usage.CompletionTokens == 0 {
		t.Fatalf("pieces %q text %q", pieces, c.Text)
	}
	c2, _ := m.Generate(context.Background(), "abc", engine.Params{MaxTokens: 20, Temperature: 0.9, Seed: 7}, nil)
	c3, _ := m.Generate(context.Background(), "abc", engine.Params{MaxTokens: 20, Temperature: 0.9, Seed: 8}, nil)
	if c2.Text != c.Text {
		t.Fatal("same seed gave different text")
	}
	if c3.Text == c.Text {
		t.Fatal("different seeds gave the same 20 sampled tokens")
	}
}

func TestStopSequences(t *testing.T) {
	if i, ok := findStop([]byte("hello world"), []string{"wor", "lo"}); !ok || i != 3 {
		t.Fatalf("findStop = %d %v", i, ok)
	}
	if n := safePrefix([]byte("abc\nxy"), []string{"\nxyz"}); n != 3 {
		t.Fatalf("safePrefix holds %d", n)
	}
	if n := safePrefix([]byte("ab\xe6\x9d"), nil); n != 2 {
		t.Fatalf("safePrefix split a rune: %d", n)
	}
}

func TestBadInputs(t *testing.T) {
	m, _ := tinyModel(t, "gpt2-tiny")
	ctx := context.Background()
	if _, err := m.Loss(ctx, []int{1}); err == nil {
		t.Error("loss of one token accepted")
	}
	if _, err := m.Loss(ctx, make([]int, 500)); err == nil {
		t.Error("loss past context accepted")
	}
	if _, err := m.Embed(ctx, nil); err == nil {
		t.Error("empty embed accepted")
	}
	s, _ := m.NewState(8)
	if err := s.Forward([]int{9999}, make([]float32, 64)); err == nil {
		t.Error("token outside vocabulary accepted")
	}
	if _, err := m.Generate(ctx, "x", engine.Params{MaxTokens: 3, Temperature: -1}, nil); err == nil {
		t.Error("negative temperature accepted")
	}
}

// allTinyNames lists every tiny model of the tests (tinySpecs and familyTinySpecs).
func allTinyNames() []string {
	var names []string
	for name := range tinySpecs {
		names = append(names, name)
	}
	for name := range familyTinySpecs {
		names = append(names, name)
	}
	return names
}

// TestForwardLastMatchesForward: the last-row-only pass (generation's prompt) gives
// the last row Forward gives, bit for bit, on every kernel path: for prompts longer
// than an attention block, in several chunks, after tokens already in the cache, and
// for a single token.
func TestForwardLastMatchesForward(t *testing.T) {
	defer kernels.Use(kernels.Current())
	for _, name := range allTinyNames() {
		m, _ := tinyModel(t, name)
		D := m.Cfg.Dim
		r := rand.New(rand.NewPCG(1, uint64(len(name))))
		toks := make([]int, 100)
		for i := range toks {
			toks[i] = r.IntN(m.Cfg.Vocab)
		}
		cases := []struct {
			name          string
			before, after int // tokens fed first (Forward), then the prompt's
			chunk         int // 0: the state's default
		}{{"long", 0, 100, 0}, {"chunked", 0, 100, 24}, {"after a cached prefix", 30, 70, 0}, {"one token", 20, 1, 0}}
		for _, path := range kernels.Available() {
			kernels.Use(path)
			for _, c := range cases {
				full := make([]float32, (c.before+c.after)*D)
				s, _ := m.NewState(128)
				require.NoError(t, s.Forward(toks[:c.before+c.after], full))
				s2, _ := m.NewState(128)
				if c.chunk > 0 {
					s2.chunk = c.chunk
				}
				if c.before > 0 {
					require.NoError(t, s2.Forward(toks[:c.before], make([]float32, c.before*D)))
				}
				last := make([]float32, D)
				require.NoError(t, s2.ForwardLast(toks[c.before:c.before+c.after], last))
				want := full[(c.before+c.after-1)*D:]
				for j := range last {
					require.Equal(t, math.Float32bits(want[j]), math.Float32bits(last[j]), "%s %s %s: dim %d", name, path, c.name, j)
				}
				require.Equal(t, c.before+c.after, s2.Pos(), "every token is in the cache")
			}
		}
	}
}
