package models

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// Spec describes a random model for `cortd-sidecar model init`.
type Spec struct {
	Arch    string // gpt2, llama, llama3, mistral, qwen2 or qwen3
	Layers  int
	Dim     int
	Heads   int
	KVHeads int // llama families; 0 = Heads
	FF      int // 0 = 4*Dim (gpt2) or 8/3*Dim rounded to 32 (llama families)
	HeadDim int // qwen3's explicit head_dim; 0 = 2*Dim/Heads (qwen3), Dim/Heads otherwise
	// Vocab picks the tokenizer: "bytes" (257 byte-level tokens), "bpe"
	// (GPT-2's 50,257) or "family" (a small vocabulary in the family's
	// published tokenizer format with its special tokens). "" is "bytes"
	// for gpt2 and llama (what existing callers get) and "family" for the
	// others.
	Vocab   string
	Context int // 0 = 1024
	Seed    uint64
	DType   safetensors.DType // storage type; "" = F32
	Shards  int               // weight files; 0 or 1 = one model.safetensors
}

// Archs lists the families model init writes.
var Archs = []string{"gpt2", "llama", "llama3", "mistral", "qwen2", "qwen3"}

// Init writes a complete model folder to dir in the family's published
// Hugging Face layout (config.json, generation_config.json, tokenizer.json,
// tokenizer_config.json and model.safetensors, or model-0000i-of-0000N
// shards with model.safetensors.index.json) and returns the sha256 of each
// file by name. The same spec always gives the same bytes.
func Init(spec Spec, dir string) (map[string]string, error) {
	if err := spec.normalise(); err != nil {
		return nil, err
	}
	var tokJSON, tokCfg []byte
	var vocab int
	var err error
	ft := famTok{}
	var ids map[string]int
	switch spec.Vocab {
	case "bytes":
		tokJSON, err = tokenizer.ByteLevelJSON()
		vocab = 257
	case "bpe":
		tokJSON, err = GPT2TokenizerJSON()
		vocab = 50257
	case "family":
		ft = families[spec.Arch]
		if tokJSON, ids, vocab, err = familyTokenizer(ft); err == nil {
			tokCfg, err = tokenizerConfig(ft, ids, spec.Context)
		}
		if ft.padVocab > 0 {
			vocab = (vocab + ft.padVocab - 1) / ft.padVocab * ft.padVocab
		}
	}
	if err != nil {
		return nil, err
	}
	if tokCfg == nil { // byte-level GPT-2 style tokenizers
		ids = map[string]int{"<|endoftext|>": vocab - 1}
		ft = famTok{bos: "<|endoftext|>", eos: "<|endoftext|>", genEOS: []string{"<|endoftext|>"}}
		tokCfg, err = marshal(map[string]any{"add_prefix_space": false, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
			"unk_token": "<|endoftext|>", "model_max_length": spec.Context, "tokenizer_class": "GPT2Tokenizer",
			"clean_up_tokenization_spaces": false})
		if err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg, tensors := spec.build(vocab)
	// Token roles: bos/eos ids in config.json and generation_config.json.
	gen := map[string]any{"_from_model_config": true, "transformers_version": "4.51.0"}
	if ft.bos != "" {
		cfg["bos_token_id"], gen["bos_token_id"] = ids[ft.bos], ids[ft.bos]
	} else if _, ok := ids["<|endoftext|>"]; ok { // Qwen: bos_token_id is <|endoftext|> though no BOS is added
		cfg["bos_token_id"], gen["bos_token_id"] = ids["<|endoftext|>"], ids["<|endoftext|>"]
	}
	cfg["eos_token_id"] = ids[ft.eos]
	if len(ft.genEOS) == 1 {
		gen["eos_token_id"] = ids[ft.genEOS[0]]
	} else {
		eos := make([]int, len(ft.genEOS))
		for i, e := range ft.genEOS {
			eos[i] = ids[e]
		}
		gen["eos_token_id"] = eos
		delete(gen, "_from_model_config")
	}
	if ft.pad != "" {
		gen["pad_token_id"] = ids[ft.pad]
	}
	cfg["torch_dtype"] = map[safetensors.DType]string{safetensors.F32: "float32", safetensors.F16: "float16", safetensors.BF16: "bfloat16"}[spec.DType]
	cfg["transformers_version"] = "4.51.0"
	files := map[string][]byte{"tokenizer.json": tokJSON, "tokenizer_config.json": tokCfg}
	if files["config.json"], err = marshal(cfg); err != nil {
		return nil, err
	}
	if files["generation_config.json"], err = marshal(gen); err != nil {
		return nil, err
	}
	names := []string{"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return nil, err
		}
	}
	weights, err := writeWeights(dir, tensors, spec)
	if err != nil {
		return nil, err
	}
	sums := map[string]string{}
	for _, f := range append(names, weights...) {
		s, err := sha256File(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		sums[f] = s
	}
	return sums, nil
}

// writeWeights writes one model.safetensors, or spec.Shards files named as
// transformers names them with an index, splitting the tensors in name
// order into runs of about equal size. It returns the file names written.
func writeWeights(dir string, tensors []safetensors.Tensor, spec Spec) ([]string, error) {
	meta := map[string]string{"format": "pt", "generator": "cortd-sidecar model init", "seed": fmt.Sprint(spec.Seed)}
	if spec.Shards <= 1 {
		return []string{safetensors.SingleFile}, safetensors.WriteFile(filepath.Join(dir, safetensors.SingleFile), tensors, meta)
	}
	ts := append([]safetensors.Tensor(nil), tensors...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	var total int64
	for _, t := range ts {
		total += int64(len(t.Data) * spec.DType.Size())
	}
	n := spec.Shards
	groups := make([][]safetensors.Tensor, n)
	var acc int64
	for _, t := range ts {
		g := int(acc * int64(n) / max(total, 1))
		groups[min(g, n-1)] = append(groups[min(g, n-1)], t)
		acc += int64(len(t.Data) * spec.DType.Size())
	}
	weightMap := map[string]string{}
	var out []string
	for i, g := range groups {
		name := fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, n)
		if err := safetensors.WriteFile(filepath.Join(dir, name), g, meta); err != nil {
			return nil, err
		}
		for _, t := range g {
			weightMap[t.Name] = name
		}
		out = append(out, name)
	}
	ix, err := marshal(map[string]any{"metadata": map[string]any{"total_size": total}, "weight_map": weightMap})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, safetensors.IndexFile), ix, 0o644); err != nil {
		return nil, err
	}
	return append(out, safetensors.IndexFile), nil
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
	if !slices.Contains(Archs, s.Arch) {
		return fmt.Errorf("arch %q: want one of %s", s.Arch, strings.Join(Archs, ", "))
	}
	if s.Vocab == "" {
		s.Vocab = "family"
		if s.Arch == "gpt2" || s.Arch == "llama" {
			s.Vocab = "bytes"
		}
	}
	if s.Vocab == "family" && s.Arch == "gpt2" {
		s.Vocab = "bpe" // GPT-2's own tokenizer
	}
	if s.Vocab != "bytes" && s.Vocab != "bpe" && s.Vocab != "family" {
		return fmt.Errorf("vocab %q: want bytes, bpe or family", s.Vocab)
	}
	if s.Shards < 0 || s.Shards > 99999 {
		return fmt.Errorf("shards %d out of range", s.Shards)
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
	if s.HeadDim == 0 {
		s.HeadDim = s.Dim / s.Heads
		if s.Arch == "qwen3" {
			s.HeadDim *= 2 // Qwen3's head_dim differs from hidden/heads (0.6B: 128 vs 64)
		}
	}
	if s.HeadDim < 0 || s.HeadDim > 1024 || (s.Arch != "qwen3" && s.HeadDim != s.Dim/s.Heads) {
		return fmt.Errorf("head dim %d: only qwen3 takes an explicit head_dim", s.HeadDim)
	}
	if s.Arch != "gpt2" && s.HeadDim%2 != 0 {
		return fmt.Errorf("%s needs an even head size, got %d", s.Arch, s.HeadDim)
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
				v[i] = constant + float32(normal(r)*std)
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
	hd := s.HeadDim
	cfg := map[string]any{"hidden_size": D, "num_hidden_layers": s.Layers, "num_attention_heads": s.Heads,
		"num_key_value_heads": s.KVHeads, "intermediate_size": F, "max_position_embeddings": s.Context,
		"vocab_size": vocab, "hidden_act": "silu", "initializer_range": 0.02, "attention_dropout": 0.0, "use_cache": true}
	tie, qkvBias, qkNorm := false, false, false
	switch s.Arch {
	case "llama": // Llama 2
		cfg["architectures"], cfg["model_type"] = []string{"LlamaForCausalLM"}, "llama"
		cfg["rms_norm_eps"], cfg["rope_theta"], cfg["rope_scaling"] = 1e-5, 10000.0, nil
		cfg["attention_bias"], cfg["mlp_bias"], cfg["pretraining_tp"] = false, false, 1
	case "llama3": // Llama 3.2 small sizes: tied embeddings, llama3 rope scaling
		tie = true
		cfg["architectures"], cfg["model_type"] = []string{"LlamaForCausalLM"}, "llama"
		cfg["rms_norm_eps"], cfg["rope_theta"], cfg["head_dim"] = 1e-5, 500000.0, hd
		cfg["rope_scaling"] = map[string]any{"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
			"original_max_position_embeddings": 8192, "rope_type": "llama3"}
		cfg["attention_bias"], cfg["mlp_bias"], cfg["pretraining_tp"] = false, false, 1
	case "mistral": // Mistral 7B v0.2/v0.3: no sliding window, rope_theta 1e6
		cfg["architectures"], cfg["model_type"] = []string{"MistralForCausalLM"}, "mistral"
		cfg["rms_norm_eps"], cfg["rope_theta"], cfg["sliding_window"], cfg["head_dim"] = 1e-5, 1000000.0, nil, hd
	case "qwen2": // Qwen2.5 small sizes: q/k/v biases, tied embeddings
		tie, qkvBias = true, true
		cfg["architectures"], cfg["model_type"] = []string{"Qwen2ForCausalLM"}, "qwen2"
		cfg["rms_norm_eps"], cfg["rope_theta"], cfg["rope_scaling"] = 1e-6, 1000000.0, nil
		cfg["sliding_window"], cfg["use_sliding_window"], cfg["max_window_layers"] = s.Context, false, s.Layers
	case "qwen3": // Qwen3 small sizes: q_norm/k_norm, explicit head_dim, tied
		tie, qkNorm = true, true
		cfg["architectures"], cfg["model_type"] = []string{"Qwen3ForCausalLM"}, "qwen3"
		cfg["rms_norm_eps"], cfg["rope_theta"], cfg["rope_scaling"], cfg["head_dim"] = 1e-6, 1000000.0, nil, hd
		cfg["attention_bias"], cfg["sliding_window"], cfg["use_sliding_window"], cfg["max_window_layers"] = false, nil, false, s.Layers
	}
	cfg["tie_word_embeddings"] = tie
	add("model.embed_tokens.weight", 0.02, 0, vocab, D)
	for i := 0; i < s.Layers; i++ {
		p := fmt.Sprintf("model.layers.%d.", i)
		add(p+"input_layernorm.weight", 0, 1, D)
		add(p+"self_attn.q_proj.weight", 0.02, 0, s.Heads*hd, D)
		add(p+"self_attn.k_proj.weight", 0.02, 0, s.KVHeads*hd, D)
		add(p+"self_attn.v_proj.weight", 0.02, 0, s.KVHeads*hd, D)
		if qkvBias {
			add(p+"self_attn.q_proj.bias", 0.02, 0, s.Heads*hd)
			add(p+"self_attn.k_proj.bias", 0.02, 0, s.KVHeads*hd)
			add(p+"self_attn.v_proj.bias", 0.02, 0, s.KVHeads*hd)
		}
		if qkNorm {
			add(p+"self_attn.q_norm.weight", 0.05, 1, hd)
			add(p+"self_attn.k_norm.weight", 0.05, 1, hd)
		}
		add(p+"self_attn.o_proj.weight", 0.02, 0, D, s.Heads*hd)
		add(p+"post_attention_layernorm.weight", 0, 1, D)
		add(p+"mlp.gate_proj.weight", 0.02, 0, F, D)
		add(p+"mlp.up_proj.weight", 0.02, 0, F, D)
		add(p+"mlp.down_proj.weight", 0.02, 0, D, F)
	}
	add("model.norm.weight", 0, 1, D)
	if !tie {
		add("lm_head.weight", 0.02, 0, vocab, D)
	}
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

// GGUFFile is the weights file of a folder `model init --format gguf` writes.
const GGUFFile = "model.gguf"

// InitGGUF writes the folder Init writes, then converts its weights with
// convert (native.ConvertToGGUF at f32, passed in because the engine
// imports this package in its tests) to model.gguf and removes the
// safetensors weights (model.safetensors, or the shards and their index).
// The folder keeps config.json, generation_config.json, tokenizer.json and
// tokenizer_config.json: tools that size or publish a model read them, and
// the GGUF file carries the same config and tokenizer in its metadata. It
// returns the sha256 of each file left.
func InitGGUF(spec Spec, dir string, convert func(dir, out string) error) (map[string]string, error) {
	sums, err := Init(spec, dir)
	if err != nil {
		return nil, err
	}
	if err := convert(dir, filepath.Join(dir, GGUFFile)); err != nil {
		return nil, err
	}
	for f := range sums {
		if f == safetensors.SingleFile || f == safetensors.IndexFile || strings.HasSuffix(f, ".safetensors") {
			if err := os.Remove(filepath.Join(dir, f)); err != nil {
				return nil, err
			}
			delete(sums, f)
		}
	}
	if sums[GGUFFile], err = sha256File(filepath.Join(dir, GGUFFile)); err != nil {
		return nil, err
	}
	return sums, nil
}
