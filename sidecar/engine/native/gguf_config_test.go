package native

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/gguf"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
)

// rewriteGGUF copies a GGUF file with its metadata edited by kv (which
// returns the new list) and its tensors filtered by keep.
func rewriteGGUF(t *testing.T, src string, kv func([]gguf.KV) []gguf.KV, keep func(string) bool) string {
	t.Helper()
	f, err := gguf.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := gguf.NewWriter()
	for _, e := range kv(append([]gguf.KV(nil), f.KVs...)) {
		if err := w.Set(e.Key, e.Value); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, ti := range f.Tensors {
		if keep == nil || keep(ti.Name) {
			if err := w.AddTensor(ti.Name, ti.Type, ti.Dims...); err != nil {
				t.Fatal(err)
			}
			names = append(names, ti.Name)
		}
	}
	p := filepath.Join(t.TempDir(), "edited.gguf")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := w.WriteHeader(out); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := f.TensorBytes(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTensor(n, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	return p
}

func setKV(key string, v any) func([]gguf.KV) []gguf.KV {
	return func(kvs []gguf.KV) []gguf.KV {
		for i := range kvs {
			if kvs[i].Key == key {
				if v == nil {
					return append(kvs[:i], kvs[i+1:]...)
				}
				kvs[i].Value = v
				return kvs
			}
		}
		if v == nil {
			return kvs
		}
		return append(kvs, gguf.KV{Key: key, Value: v})
	}
}

func drop(name string) func(string) bool { return func(n string) bool { return n != name } }

func TestConfigFromGGUFRefusals(t *testing.T) {
	files := map[string]string{}
	for _, arch := range []string{"gpt2", "llama", "llama3", "qwen2", "qwen3", "mistral"} {
		dir := initFamily(t, familySpec(arch, safetensors.F32, 1))
		files[arch] = filepath.Join(t.TempDir(), arch+".gguf")
		if err := ConvertToGGUF(dir, files[arch], "f32", nil); err != nil {
			t.Fatal(err)
		}
	}
	same := func(kvs []gguf.KV) []gguf.KV { return kvs }
	cases := []struct {
		name, file string
		kv         func([]gguf.KV) []gguf.KV
		keep       func(string) bool
		want       string
	}{
		{"no architecture", "llama", setKV("general.architecture", nil), nil, "metadata general.architecture: missing"},
		{"unknown architecture", "llama", setKV("general.architecture", "falcon"), nil, `general.architecture "falcon" not supported`},
		{"model type of another arch", "llama", setKV("cortd.model_type", "qwen2"), nil, `cortd.model_type "qwen2" does not belong to architecture "llama"`},
		{"missing block count", "qwen2", setKV("qwen2.block_count", nil), nil, "metadata qwen2.block_count: missing"},
		{"zero heads", "llama", setKV("llama.attention.head_count", uint32(0)), nil, "llama.attention.head_count = 0 is not a size"},
		{"heads as a string", "llama", setKV("llama.attention.head_count", "4"), nil, "llama.attention.head_count is a string"},
		{"kv heads not dividing", "llama", setKV("llama.attention.head_count_kv", uint32(3)), nil, "invalid sizes"},
		{"value length", "qwen3", setKV("qwen3.attention.value_length", uint32(8)), nil, "value_length 8 differs from the key length 16"},
		{"no epsilon", "qwen3", setKV("qwen3.attention.layer_norm_rms_epsilon", nil), nil, "layer_norm_rms_epsilon: missing"},
		{"bad epsilon", "gpt2", setKV("gpt2.attention.layer_norm_epsilon", float32(2)), nil, "layer_norm_epsilon = 2 is not a norm epsilon"},
		{"no token embedding", "llama", same, drop("token_embd.weight"), "no tensor token_embd.weight"},
		{"vocab size", "llama", setKV("llama.vocab_size", uint32(7)), nil, "vocab_size 7 differs from token_embd.weight's"},
		{"qwen2 without biases", "qwen2", same, drop("blk.0.attn_q.bias"), "qwen2 has q/k/v biases"},
		{"qwen3 without q norm", "qwen3", same, drop("blk.0.attn_q_norm.weight"), "qwen3 without blk.0.attn_q_norm.weight"},
		{"llama with q norms", "qwen3", func(k []gguf.KV) []gguf.KV {
			k = setKV("general.architecture", "llama")(k)
			k = setKV("cortd.model_type", nil)(k)
			for i := range k {
				k[i].Key = strings.Replace(k[i].Key, "qwen3.", "llama.", 1)
			}
			return k
		}, nil, "llama with q/k norms"},
		{"llama with q/k/v biases only", "qwen2", func(k []gguf.KV) []gguf.KV {
			k = setKV("general.architecture", "llama")(k)
			k = setKV("cortd.model_type", nil)(k)
			for i := range k {
				k[i].Key = strings.Replace(k[i].Key, "qwen2.", "llama.", 1)
			}
			return k
		}, nil, "llama with attention biases on q/k/v true but on the output false"},
		{"mistral with biases", "qwen2", func(k []gguf.KV) []gguf.KV {
			k = setKV("general.architecture", "llama")(k)
			k = setKV("cortd.model_type", "mistral")(k)
			for i := range k {
				k[i].Key = strings.Replace(k[i].Key, "qwen2.", "llama.", 1)
			}
			return k
		}, nil, "mistral with attention biases"},
		{"gpt2 with rope", "gpt2", setKV("gpt2.rope.freq_base", float32(10000)), nil, "gpt2 has no rotary embedding"},
		{"gpt2 kv heads", "gpt2", setKV("gpt2.attention.head_count_kv", uint32(2)), nil, "gpt2 with 2 key/value heads for 4 heads"},
		{"gpt2 key length", "gpt2", setKV("gpt2.attention.key_length", uint32(4)), nil, "gpt2 with attention.key_length 4"},
		{"rope base", "llama", setKV("llama.rope.freq_base", float32(0.5)), nil, "rope.freq_base 0.5 is not a base above 1"},
		{"partial rotary", "llama", setKV("llama.rope.dimension_count", uint32(4)), nil, "partial rotary embeddings are not supported"},
		{"yarn", "qwen2", setKV("qwen2.rope.scaling.type", "yarn"), nil, `rope.scaling.type "yarn" not supported`},
		{"linear without factor", "llama", setKV("llama.rope.scaling.type", "linear"), nil, "rope.scaling.factor: missing"},
		{"linear factor zero", "llama", func(k []gguf.KV) []gguf.KV {
			return setKV("llama.rope.scaling.factor", float32(0))(setKV("llama.rope.scaling.type", "linear")(k))
		}, nil, "rope.scaling.factor 0 is not a positive factor"},
		{"linear and rope_freqs", "llama3", setKV("llama.rope.scaling.type", "linear"), nil, "rope.scaling.factor: missing"},
		{"llama3 keys without rope_freqs", "llama3", same, drop("rope_freqs.weight"), "cortd.rope.llama3.factor without a rope_freqs.weight tensor"},
		{"llama3 keys disagree", "llama3", setKV("cortd.rope.llama3.factor", float64(16)), nil, "but the cortd.rope.llama3.* keys give"},
		{"llama3 key missing", "llama3", setKV("cortd.rope.llama3.low_freq_factor", nil), nil, "cortd.rope.llama3.low_freq_factor: missing"},
		{"llama3 high below low", "llama3", setKV("cortd.rope.llama3.high_freq_factor", float64(0.5)), nil, "high_freq_factor 0.5 must exceed"},
		{"llama3 factor negative", "llama3", setKV("cortd.rope.llama3.factor", float64(-1)), nil, "cortd.rope.llama3.factor = -1"},
		{"bad pooling", "llama", setKV("cortd.pooling", "max"), nil, `cortd_pooling "max"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := rewriteGGUF(t, files[c.file], c.kv, c.keep)
			f, err := gguf.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = ConfigFromGGUF(f)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// Without the cortd.* keys (a llama.cpp-converted Llama 3 file) the
	// factors are used, and the model type is the architecture.
	p := rewriteGGUF(t, files["llama3"], func(k []gguf.KV) []gguf.KV {
		var out []gguf.KV
		for _, e := range k {
			if !strings.HasPrefix(e.Key, "cortd.") {
				out = append(out, e)
			}
		}
		return out
	}, nil)
	f, err := gguf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ConfigFromGGUF(f)
	if err != nil || c.RopeFreqs == nil || c.Rope.Type != "" || c.ModelType != "llama" {
		t.Fatalf("plain llama3 file: %+v %v", c, err)
	}
	// A linear-scaled file reads back its factor.
	p = rewriteGGUF(t, files["llama"], func(k []gguf.KV) []gguf.KV {
		return setKV("llama.rope.scaling.factor", float32(4))(setKV("llama.rope.scaling.type", "linear")(k))
	}, nil)
	g, err := gguf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if c, err := ConfigFromGGUF(g); err != nil || c.Rope != (RopeScaling{Type: "linear", Factor: 4}) {
		t.Fatalf("linear: %+v %v", c, err)
	}
}

func TestVocabFromGGUFRefusals(t *testing.T) {
	dir := initFamily(t, familySpec("llama", safetensors.F32, 1))
	src := filepath.Join(t.TempDir(), "l.gguf")
	if err := ConvertToGGUF(dir, src, "f32", nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		kv   func([]gguf.KV) []gguf.KV
		want string
	}{
		{"no model", setKV("tokenizer.ggml.model", nil), "tokenizer.ggml.model: missing"},
		{"no tokens", setKV("tokenizer.ggml.tokens", nil), "tokenizer.ggml.tokens: missing"},
		{"empty tokens", setKV("tokenizer.ggml.tokens", []string{}), "has 0 tokens"},
		{"scores length", setKV("tokenizer.ggml.scores", []float32{1}), "tokenizer.ggml.scores has 1 entries"},
		{"types length", setKV("tokenizer.ggml.token_type", []int32{1}), "tokenizer.ggml.token_type has 1 entries"},
		{"bos out of range", setKV("tokenizer.ggml.bos_token_id", uint32(1<<30)), "bos_token_id = 1073741824 is not one of the"},
		{"add_bos not bool", setKV("tokenizer.ggml.add_bos_token", uint32(1)), "add_bos_token is a uint32"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := gguf.Open(rewriteGGUF(t, src, c.kv, nil))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := VocabFromGGUF(f); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

// TestConvertRefusals: the converter names the folder, file and tensor of
// a weight it cannot place, a wrong shape and a non-finite value, and
// leaves no output behind.
func TestConvertRefusals(t *testing.T) {
	base := initFamily(t, familySpec("llama", safetensors.F32, 1))
	edit := func(t *testing.T, f func([]safetensors.Tensor) []safetensors.Tensor) string {
		dir := t.TempDir()
		for _, n := range []string{"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"} {
			b, err := os.ReadFile(filepath.Join(base, n))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, n), b, 0o644)
		}
		w, err := safetensors.OpenDir(base)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		var ts []safetensors.Tensor
		for _, n := range w.Names() {
			v, ti, _, err := w.Float32(n)
			if err != nil {
				t.Fatal(err)
			}
			ts = append(ts, safetensors.Tensor{Name: n, DType: safetensors.F32, Shape: ti.Shape, Data: v})
		}
		if err := safetensors.WriteFile(filepath.Join(dir, safetensors.SingleFile), f(ts), nil); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	find := func(ts []safetensors.Tensor, name string) *safetensors.Tensor {
		for i := range ts {
			if ts[i].Name == name {
				return &ts[i]
			}
		}
		t.Fatalf("no %s", name)
		return nil
	}
	for _, c := range []struct {
		name string
		f    func([]safetensors.Tensor) []safetensors.Tensor
		want string
	}{
		{"unknown tensor", func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.Tensor{Name: "model.layers.0.mlp.experts.weight", DType: safetensors.F32, Shape: []int{1}, Data: []float32{0}})
		}, "tensor model.layers.0.mlp.experts.weight has no GGUF name"},
		{"unused bias", func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.Tensor{Name: "model.layers.0.self_attn.q_proj.bias", DType: safetensors.F32, Shape: []int{32}, Data: make([]float32, 32)})
		}, "model.layers.0.self_attn.q_proj.bias (blk.0.attn_q.bias) is not used by the config"},
		{"missing tensor", func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				if ts[i].Name == "model.layers.1.mlp.up_proj.weight" {
					return append(ts[:i], ts[i+1:]...)
				}
			}
			return ts
		}, "tensor model.layers.1.mlp.up_proj.weight missing"},
		{"wrong shape", func(ts []safetensors.Tensor) []safetensors.Tensor {
			x := find(ts, "model.layers.0.self_attn.o_proj.weight")
			x.Shape = []int{x.Shape[1] / 2, x.Shape[0] * 2}
			return ts
		}, "tensor model.layers.0.self_attn.o_proj.weight: shape [16 64], want [32 32]"},
		{"non-finite", func(ts []safetensors.Tensor) []safetensors.Tensor {
			x := find(ts, "model.norm.weight")
			x.Data[3] = float32(math.Inf(1))
			return ts
		}, "tensor model.norm.weight: element 3 is +Inf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := edit(t, c.f)
			outDir := t.TempDir()
			err := ConvertToGGUF(dir, filepath.Join(outDir, "x.gguf"), "q8_0", nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if left, _ := os.ReadDir(outDir); len(left) != 0 {
				t.Fatalf("left %v behind", left)
			}
		})
	}
}
