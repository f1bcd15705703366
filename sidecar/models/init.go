package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// Spec describes a random model for `cortd-sidecar model init`.
type Spec struct {
	Arch    string // gpt2 or llama
	Layers  int
	Dim     int
	Heads   int
	KVHeads int    // llama only; 0 = Heads
	FF      int    // 0 = 4*Dim (gpt2) or 8/3*Dim rounded to 32 (llama)
	Vocab   string // bytes or bpe
	Context int    // 0 = 1024
	Seed    uint64
	DType   safetensors.DType // storage type; "" = F32
}

// Files lists the files Init writes, in the order their sha256s print.
var Files = []string{"config.json", "model.safetensors", "tokenizer.json"}

// Init writes a complete model folder to dir and returns the sha256 of each
// file. The same spec always gives the same bytes.
func Init(spec Spec, dir string) (map[string]string, error) {
	if err := spec.normalise(); err != nil {
		return nil, err
	}
	var tokJSON []byte
	var vocab int
	var err error
	switch spec.Vocab {
	case "bytes":
		tokJSON, err = tokenizer.ByteLevelJSON()
		vocab = 257
	case "bpe":
		tokJSON, err = GPT2TokenizerJSON()
		vocab = 50257
	}
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg, tensors := spec.build(vocab)
	cfgJSON, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), append(cfgJSON, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), tokJSON, 0o644); err != nil {
		return nil, err
	}
	meta := map[string]string{"format": "pt", "generator": "cortd-sidecar model init", "seed": fmt.Sprint(spec.Seed)}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), tensors, meta); err != nil {
		return nil, err
	}
	sums := map[string]string{}
	for _, f := range Files {
		s, err := sha256File(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		sums[f] = s
	}
	return sums, nil
}

func sha256File(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (s *Spec) normalise() error {
	if s.Arch != "gpt2" && s.Arch != "llama" {
		return fmt.Errorf("arch %q: want gpt2 or llama", s.Arch)
	}
	if s.Vocab != "bytes" && s.Vocab != "bpe" {
		return fmt.Errorf("vocab %q: want bytes or bpe", s.Vocab)
	}
	if s.Layers <= 0 || s.Dim <= 0 || s.Heads <= 0 || s.Dim%s.Heads != 0 || s.Layers > 256 || s.Dim > 16384 {
		return fmt.Errorf("need layers > 0, dim > 0, heads > 0 dividing dim (got %d, %d, %d)", s.Layers, s.Dim, s.Heads)
	}
	if s.KVHeads == 0 {
		s.KVHeads = s.Heads
	}
	if s.Heads%s.KVHeads != 0 {
		return fmt.Errorf("kv heads %d must divide heads %d", s.KVHeads, s.Heads)
	}
	if s.Arch == "llama" && (s.Dim/s.Heads)%2 != 0 {
		return fmt.Errorf("llama needs an even head size, got %d", s.Dim/s.Heads)
	}
	if s.FF == 0 {
		if s.Arch == "gpt2" {
			s.FF = 4 * s.Dim
		} else {
			s.FF = (8*s.Dim/3 + 31) / 32 * 32
		}
	}
	if s.Context == 0 {
		s.Context = 1024
	}
	if s.Context < 2 || s.Context > 1<<16 {
		return fmt.Errorf("context %d out of range", s.Context)
	}
	if s.DType == "" {
		s.DType = safetensors.F32
	}
	if s.DType.Size() == 0 {
		return fmt.Errorf("dtype %q: want F32, F16 or BF16", s.DType)
	}
	return nil
}

// build makes the config and tensors. Weights are normal with std 0.02 as
// GPT-2 initialises them; norm scales are 1 and biases small, so the random
// model is well conditioned.
func (s *Spec) build(vocab int) (map[string]any, []safetensors.Tensor) {
	r := rand.New(rand.NewPCG(s.Seed, 0x6d6f64656c2d696e))
	var ts []safetensors.Tensor
	add := func(name string, std float64, constant float32, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			if std == 0 {
				v[i] = constant
			} else {
				v[i] = float32(normal(r) * std)
			}
		}
		ts = append(ts, safetensors.Tensor{Name: name, DType: s.DType, Shape: shape, Data: v})
	}
	D, F := s.Dim, s.FF
	if s.Arch == "gpt2" {
		cfg := map[string]any{"model_type": "gpt2", "architectures": []string{"GPT2LMHeadModel"},
			"n_embd": D, "n_layer": s.Layers, "n_head": s.Heads, "n_positions": s.Context, "n_ctx": s.Context,
			"n_inner": F, "vocab_size": vocab, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}
		add("wte.weight", 0.02, 0, vocab, D)
		add("wpe.weight", 0.01, 0, s.Context, D)
		for i := 0; i < s.Layers; i++ {
			p := fmt.Sprintf("h.%d.", i)
			add(p+"ln_1.weight", 0, 1, D)
			add(p+"ln_1.bias", 0.01, 0, D)
			add(p+"attn.c_attn.weight", 0.02, 0, D, 3*D)
			add(p+"attn.c_attn.bias", 0.01, 0, 3*D)
			add(p+"attn.c_proj.weight", 0.02, 0, D, D)
			add(p+"attn.c_proj.bias", 0.01, 0, D)
			add(p+"ln_2.weight", 0, 1, D)
			add(p+"ln_2.bias", 0.01, 0, D)
			add(p+"mlp.c_fc.weight", 0.02, 0, D, F)
			add(p+"mlp.c_fc.bias", 0.01, 0, F)
			add(p+"mlp.c_proj.weight", 0.02, 0, F, D)
			add(p+"mlp.c_proj.bias", 0.01, 0, D)
		}
		add("ln_f.weight", 0, 1, D)
		add("ln_f.bias", 0.01, 0, D)
		return cfg, ts
	}
	hd := D / s.Heads
	cfg := map[string]any{"model_type": "llama", "architectures": []string{"LlamaForCausalLM"},
		"hidden_size": D, "num_hidden_layers": s.Layers, "num_attention_heads": s.Heads,
		"num_key_value_heads": s.KVHeads, "intermediate_size": F, "max_position_embeddings": s.Context,
		"vocab_size": vocab, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": false,
		"hidden_act": "silu"}
	add("model.embed_tokens.weight", 0.02, 0, vocab, D)
	for i := 0; i < s.Layers; i++ {
		p := fmt.Sprintf("model.layers.%d.", i)
		add(p+"input_layernorm.weight", 0, 1, D)
		add(p+"self_attn.q_proj.weight", 0.02, 0, s.Heads*hd, D)
		add(p+"self_attn.k_proj.weight", 0.02, 0, s.KVHeads*hd, D)
		add(p+"self_attn.v_proj.weight", 0.02, 0, s.KVHeads*hd, D)
		add(p+"self_attn.o_proj.weight", 0.02, 0, D, s.Heads*hd)
		add(p+"post_attention_layernorm.weight", 0, 1, D)
		add(p+"mlp.gate_proj.weight", 0.02, 0, F, D)
		add(p+"mlp.up_proj.weight", 0.02, 0, F, D)
		add(p+"mlp.down_proj.weight", 0.02, 0, D, F)
	}
	add("model.norm.weight", 0, 1, D)
	add("lm_head.weight", 0.02, 0, vocab, D)
	return cfg, ts
}

// normal is an approximately standard normal draw: the sum of 12 uniforms
// minus 6 (Irwin-Hall). rand's NormFloat64 calls math.Exp in its tail,
// which is assembly on some architectures; this is plain arithmetic, so a
// seed gives the same weights on every machine.
func normal(r *rand.Rand) float64 {
	var s float64
	for i := 0; i < 12; i++ {
		s += r.Float64()
	}
	return s - 6
}
