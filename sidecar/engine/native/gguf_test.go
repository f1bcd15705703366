package native

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/gguf"
	"github.com/cortnet/cortd/sidecar/engine/quant"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
	"github.com/cortnet/cortd/sidecar/models"
)

// TestGGUFFamilies: every family model init writes (sharded bf16 for one)
// converts to an f32 GGUF whose config reads back equal to config.json's,
// whose tokenizer keys rebuild the same tokenizer, and whose tensors are
// the folder's: llama q/k unpermuted and GPT-2 Conv1D transposed back.
func TestGGUFFamilies(t *testing.T) {
	for _, arch := range models.Archs {
		t.Run(arch, func(t *testing.T) {
			dt, shards := safetensors.F32, 1
			if arch == "llama3" {
				dt, shards = safetensors.BF16, 2
			}
			dir := initFamily(t, familySpec(arch, dt, shards))
			out := filepath.Join(t.TempDir(), "m.gguf")
			var calls int
			var last, total int64
			if err := ConvertToGGUF(dir, out, "f32", func(d, tot int64) { calls++; last, total = d, tot }); err != nil {
				t.Fatal(err)
			}
			if calls == 0 || last != total || total == 0 {
				t.Fatalf("progress: %d calls, %d of %d", calls, last, total)
			}
			f, err := gguf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want, err := LoadConfig(filepath.Join(dir, "config.json"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ConfigFromGGUF(f)
			if err != nil {
				t.Fatal(err)
			}
			if *got != *want {
				t.Fatalf("config from GGUF\n %+v\nwant %+v", *got, *want)
			}
			if ft, _ := f.Uint(keyFileType); ft != 0 {
				t.Fatalf("file type %d", ft)
			}
			// Tokenizer keys: the same vocabulary as tokenizer.json's.
			tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			wantV, err := tok.GGUF()
			if err != nil {
				t.Fatal(err)
			}
			gotV, err := VocabFromGGUF(f)
			if err != nil {
				t.Fatal(err)
			}
			padVocab(wantV, want.Vocab)
			if len(wantV.Tokens) != want.Vocab {
				t.Fatalf("%d tokens after padding, want %d", len(wantV.Tokens), want.Vocab)
			}
			if tmpl, _ := chatTemplate(dir); wantV.ChatTemplate == "" {
				wantV.ChatTemplate = tmpl
			}
			if !reflect.DeepEqual(gotV, wantV) {
				t.Fatalf("vocab from GGUF differs: model %q/%q tokens %d/%d", gotV.Model, wantV.Model, len(gotV.Tokens), len(wantV.Tokens))
			}
			back, err := tokenizer.FromGGUF(gotV)
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range []string{"Hello world, it's 2026!", "lines\nand  spaces"} {
				if a, b := back.Encode(text), tok.Encode(text); !reflect.DeepEqual(a, b) {
					t.Fatalf("%q: tokenizer from GGUF %v, tokenizer.json %v", text, a, b)
				}
			}
			if arch != "gpt2" && arch != "llama" && gotV.ChatTemplate == "" {
				t.Fatalf("no chat template")
			}
			// Tensors: each equals the folder's after undoing the layout.
			w, err := safetensors.OpenDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			table, _ := GGUFTensors(want)
			if len(f.Tensors) != len(table) {
				t.Fatalf("%d tensors, want %d", len(f.Tensors), len(table))
			}
			for _, ti := range f.Tensors {
				if ti.Type != quant.F32 {
					t.Fatalf("%s is %s in an f32 file", ti.Name, ti.Type)
				}
				b, err := f.TensorBytes(ti.Name)
				if err != nil {
					t.Fatal(err)
				}
				if ti.Name == ropeFreqsName {
					continue
				}
				ggArch, _ := GGUFArch(want)
				hf, err := HFName(ggArch, ti.Name)
				if err != nil {
					t.Fatal(err)
				}
				ref, info, _, err := w.Float32(hf)
				if err != nil {
					t.Fatal(err)
				}
				rows := int(ti.Rows())
				if ggArch == "llama" && (strings.Contains(ti.Name, "attn_q.") || strings.Contains(ti.Name, "attn_k.")) {
					heads := want.Heads
					if strings.Contains(ti.Name, "attn_k.") {
						heads = want.KVHeads
					}
					if len(ti.Dims) == 1 {
						UnpermuteRows(b, 4, heads, ti.Dims[0])
					} else {
						UnpermuteRows(b, ti.RowBytes(), heads, rows)
					}
				}
				v := bytesF32(b)
				if ggArch == "gpt2" && len(info.Shape) == 2 && !strings.Contains(ti.Name, "embd") && ti.Name != outputName {
					// GGUF rows are outputs: transposing back gives Conv1D's in x out.
					v = transposeF32(v, rows, ti.Dims[0])
				}
				if !reflect.DeepEqual(v, ref) {
					t.Fatalf("tensor %s differs from %s", ti.Name, hf)
				}
			}
			if arch == "llama3" {
				// The per-frequency factors give the llama3 formula's
				// inverse frequencies to float32 precision.
				fac := bytesF32(RopeFreqsData(want))
				alt := *want
				ff := FreqFactors(fac)
				alt.Rope, alt.RopeFreqs = RopeScaling{}, &ff
				if err := alt.validate("test"); err != nil {
					t.Fatal(err)
				}
				for i := range fac {
					a, b := alt.ropeInvFreqFor(i), want.ropeInvFreqFor(i)
					if math.Abs(a-b) > 1e-7*b {
						t.Fatalf("pair %d: factors give %v, llama3 scaling %v", i, a, b)
					}
				}
				if fac[0] != 1 || fac[len(fac)-1] != 32 {
					t.Fatalf("factors %v: want 1 for the highest frequency, 32 for the lowest", fac)
				}
			}
		})
	}
}

// TestGGUFQuantizedMix: q8_0 and q4_k_m files hold the types MixType picks
// and dequantize close to the weights.
func TestGGUFQuantizedMix(t *testing.T) {
	spec := familySpec("llama3", safetensors.F32, 1)
	spec.Dim, spec.FF, spec.Heads, spec.KVHeads = 256, 512, 4, 2
	dir := initFamily(t, spec)
	for _, mix := range []string{"q8_0", "q4_k_m", "f16", "bf16", "q4_0"} {
		out := filepath.Join(t.TempDir(), mix+".gguf")
		st, err := ConvertToGGUFStats(dir, out, mix, nil)
		if err != nil {
			t.Fatal(mix, err)
		}
		f, err := gguf.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ConfigFromGGUF(f)
		if err != nil {
			t.Fatal(err)
		}
		n := map[quant.Type]int{}
		for _, ti := range f.Tensors {
			want, _ := quant.MixTypeTied(mix, ti.Name, 0, cfg.Layers, ti.Dims[0], cfg.TieEmbed)
			if strings.HasPrefix(ti.Name, "blk.1.") {
				want, _ = quant.MixTypeTied(mix, ti.Name, 1, cfg.Layers, ti.Dims[0], cfg.TieEmbed)
			}
			if ti.Type != want {
				t.Fatalf("%s: %s is %s, want %s", mix, ti.Name, ti.Type, want)
			}
			n[ti.Type]++
		}
		if !reflect.DeepEqual(n, st.Types) {
			t.Fatalf("%s: stats %v, file %v", mix, st.Types, n)
		}
		fi, _ := os.Stat(out)
		if fi.Size() != st.Bytes {
			t.Fatalf("stats size %d, file %d", st.Bytes, fi.Size())
		}
		ti, _ := f.Tensor("blk.0.ffn_up.weight")
		b, _ := f.TensorBytes(ti.Name)
		v := make([]float32, ti.Elements())
		if err := quant.Dequantize(ti.Type, b, v); err != nil {
			t.Fatal(err)
		}
		w, _ := safetensors.OpenDir(dir)
		ref, _, _, _ := w.Float32("model.layers.0.mlp.up_proj.weight")
		w.Close()
		var num, den float64
		for i := range v {
			d := float64(v[i] - ref[i])
			num += d * d
			den += float64(ref[i]) * float64(ref[i])
		}
		if rel := math.Sqrt(num / den); rel > 0.2 || (mix == "q8_0" && rel > 0.01) {
			t.Fatalf("%s: relative error %v", mix, rel)
		}
		f.Close()
	}
	if err := ConvertToGGUF(dir, filepath.Join(t.TempDir(), "x.gguf"), "q5_k", nil); err == nil {
		t.Fatal("unknown mix accepted")
	}
}

func TestPermuteRows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const heads, hd, rb = 3, 8, 5
	data := make([]byte, heads*hd*rb)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	orig := bytes.Clone(data)
	PermuteRows(data, rb, heads, heads*hd)
	// By hand: head h's GGUF row 2j+i is HF row i*hd/2+j.
	for h := 0; h < heads; h++ {
		for i := 0; i < 2; i++ {
			for j := 0; j < hd/2; j++ {
				g := (h*hd + 2*j + i) * rb
				s := (h*hd + i*hd/2 + j) * rb
				if !bytes.Equal(data[g:g+rb], orig[s:s+rb]) {
					t.Fatalf("head %d row %d", h, 2*j+i)
				}
			}
		}
	}
	if bytes.Equal(data, orig) {
		t.Fatal("permutation did nothing")
	}
	UnpermuteRows(data, rb, heads, heads*hd)
	if !bytes.Equal(data, orig) {
		t.Fatal("unpermute(permute(x)) != x")
	}
}

func TestTransposeGPT2(t *testing.T) {
	// Conv1D in x out = 2 x 3: [[1 2 3] [4 5 6]] -> rows of outputs [[1 4] [2 5] [3 6]].
	got := transposeF32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if !reflect.DeepEqual(got, []float32{1, 4, 2, 5, 3, 6}) {
		t.Fatal(got)
	}
}

func TestGGUFNames(t *testing.T) {
	for _, c := range []struct{ arch, hf, gg string }{
		{"gpt2", "transformer.h.3.attn.c_attn.weight", "blk.3.attn_qkv.weight"},
		{"gpt2", "wpe.weight", "position_embd.weight"},
		{"llama", "model.layers.10.self_attn.k_proj.bias", "blk.10.attn_k.bias"},
		{"qwen3", "model.layers.0.self_attn.q_norm.weight", "blk.0.attn_q_norm.weight"},
		{"llama", "lm_head.weight", "output.weight"},
	} {
		g, skip, err := GGUFName(c.arch, c.hf)
		if err != nil || skip || g != c.gg {
			t.Fatalf("%s %s -> %q %v %v", c.arch, c.hf, g, skip, err)
		}
		h, err := HFName(c.arch, g)
		if err != nil || h != strings.TrimPrefix(c.hf, "transformer.") {
			t.Fatalf("%s back to %q %v", g, h, err)
		}
	}
	if _, skip, _ := GGUFName("gpt2", "h.0.attn.masked_bias"); !skip {
		t.Fatal("masked_bias not skipped")
	}
	if _, _, err := GGUFName("llama", "model.layers.0.mlp.experts.0.weight"); err == nil {
		t.Fatal("unknown tensor mapped")
	}
	if _, err := HFName("llama", "blk.x.attn_q.weight"); err == nil {
		t.Fatal("bad block mapped")
	}
}
