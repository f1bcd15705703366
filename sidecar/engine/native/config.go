// Package native is the pure-Go transformer backend: GPT-2, Llama (2, 3.x),
// Mistral, Qwen2/Qwen2.5 and Qwen3 models from Hugging Face folders as they
// are published (config.json, model.safetensors or sharded weights with
// model.safetensors.index.json, tokenizer.json), computed with the
// deterministic kernels so every machine gets the same bits.
package native

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
)

// Config is the subset of a Hugging Face config.json the engine uses.
type Config struct {
	// Arch is the maths family: "gpt2" or "llama" (Llama, Mistral, Qwen2
	// and Qwen3 share the pre-norm RMSNorm/RoPE/SwiGLU block).
	Arch       string
	ModelType  string // config.json's model_type
	QKVBias    bool   // q/k/v projections have biases (qwen2, attention_bias)
	OBias      bool   // o_proj has a bias (attention_bias)
	QKNorm     bool   // per-head RMSNorm of q and k before RoPE (qwen3)
	Rope       RopeScaling
	Layers     int     // transformer blocks
	Dim        int     // hidden size
	Heads      int     // attention heads
	KVHeads    int     // key/value heads (grouped-query attention); = Heads for GPT-2
	FF         int     // MLP inner size
	Vocab      int     // vocabulary size
	MaxPos     int     // context length
	Eps        float32 // norm epsilon
	RopeTheta  float64 // Llama rotary base
	TieEmbed   bool    // lm_head shares the token embedding
	Pooling    string  // embedding pooling: "mean" (default) or "last"
	HeadDimOvr int     // head_dim when given explicitly
	// RopeFreqFactors divide the rotary inverse frequencies one by one
	// (HeadDim/2 of them): GGUF files store Llama 3's rope scaling as
	// llama.cpp's converter computes it, a rope_freqs.weight tensor,
	// instead of rope_scaling's parameters. nil: none (Rope applies). A
	// pointer keeps Config comparable with ==.
	RopeFreqs *FreqFactors
}

// FreqFactors are per-frequency rotary divisors (see Config.RopeFreqs).
type FreqFactors []float32

// HeadDim is the size of one attention head.
func (c *Config) HeadDim() int {
	if c.HeadDimOvr > 0 {
		return c.HeadDimOvr
	}
	return c.Dim / c.Heads
}

type rawConfig struct {
	ModelType string `json:"model_type"`
	// GPT-2 names.
	NEmbd      int      `json:"n_embd"`
	NLayer     int      `json:"n_layer"`
	NHead      int      `json:"n_head"`
	NInner     *int     `json:"n_inner"`
	NPositions int      `json:"n_positions"`
	LNEps      *float64 `json:"layer_norm_epsilon"`
	// Llama names.
	Hidden       int             `json:"hidden_size"`
	NumLayers    int             `json:"num_hidden_layers"`
	NumHeads     int             `json:"num_attention_heads"`
	NumKVHeads   int             `json:"num_key_value_heads"`
	Intermediate int             `json:"intermediate_size"`
	MaxPosEmb    int             `json:"max_position_embeddings"`
	RMSEps       *float64        `json:"rms_norm_eps"`
	RopeTheta    float64         `json:"rope_theta"`
	TieWord      *bool           `json:"tie_word_embeddings"`
	HeadDim      int             `json:"head_dim"`
	RopeScaling  json.RawMessage `json:"rope_scaling"`
	RopeParams   json.RawMessage `json:"rope_parameters"` // transformers 5: rope_theta and scaling together
	HiddenAct    *string         `json:"hidden_act"`
	AttnBias     *bool           `json:"attention_bias"`
	MLPBias      *bool           `json:"mlp_bias"`
	SlidingWin   *int            `json:"sliding_window"`
	UseSliding   *bool           `json:"use_sliding_window"`
	UseMRope     *bool           `json:"use_mrope"`
	PartialRot   *float64        `json:"partial_rotary_factor"`
	// GPT-2 activation and attention variants.
	ActFn        *string `json:"activation_function"`
	ScaleAttnInv *bool   `json:"scale_attn_by_inverse_layer_idx"`
	ReorderAttn  *bool   `json:"reorder_and_upcast_attn"`
	ScaleAttn    *bool   `json:"scale_attn_weights"`
	// Shared.
	VocabSize int `json:"vocab_size"`
	// Engine extension: embedding pooling.
	Pooling string `json:"cortd_pooling"`
}

// Limits that keep a bogus config from allocating absurd buffers.
const (
	maxDim    = 1 << 15
	maxLayers = 512
	maxVocab  = 1 << 20
	maxPos    = 1 << 17
)

// LoadConfig reads and validates config.json.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(b)
}

// ParseConfig validates config.json bytes.
func ParseConfig(b []byte) (*Config, error) {
	var r rawConfig
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	c := &Config{Vocab: r.VocabSize, Pooling: r.Pooling, ModelType: r.ModelType}
	switch r.ModelType {
	case "gpt2":
		c.Arch, c.Dim, c.Layers, c.Heads, c.MaxPos = "gpt2", r.NEmbd, r.NLayer, r.NHead, r.NPositions
		c.KVHeads, c.FF, c.Eps, c.TieEmbed = r.NHead, 4*r.NEmbd, 1e-5, true
		if r.NInner != nil {
			c.FF = *r.NInner
		}
		if r.LNEps != nil {
			c.Eps = float32(*r.LNEps)
		}
		// The engine's GELU is the tanh approximation ("gelu_new", what
		// every published GPT-2 uses); the attention variants change maths.
		if r.ActFn != nil && *r.ActFn != "gelu_new" {
			return nil, fmt.Errorf("config.json: activation_function %q not supported (gelu_new)", *r.ActFn)
		}
		if r.ScaleAttnInv != nil && *r.ScaleAttnInv {
			return nil, fmt.Errorf("config.json: scale_attn_by_inverse_layer_idx true not supported")
		}
		if r.ScaleAttn != nil && !*r.ScaleAttn {
			return nil, fmt.Errorf("config.json: scale_attn_weights false not supported")
		}
	case "llama", "mistral", "qwen2", "qwen3":
		c.Arch, c.Dim, c.Layers, c.Heads, c.MaxPos = "llama", r.Hidden, r.NumLayers, r.NumHeads, r.MaxPosEmb
		c.KVHeads, c.FF, c.Eps, c.RopeTheta = r.NumKVHeads, r.Intermediate, 1e-6, r.RopeTheta
		c.HeadDimOvr = r.HeadDim
		if c.KVHeads == 0 {
			c.KVHeads = c.Heads
		}
		if c.RopeTheta == 0 {
			c.RopeTheta = 10000
		}
		if r.RMSEps != nil {
			c.Eps = float32(*r.RMSEps)
		}
		if r.TieWord != nil {
			c.TieEmbed = *r.TieWord
		}
		if err := c.parseLlamaFamily(&r); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("config.json: model_type %q not supported (gpt2, llama, mistral, qwen2, qwen3)", r.ModelType)
	}
	if c.Pooling == "" {
		c.Pooling = "mean"
	}
	if err := c.validate("config.json"); err != nil {
		return nil, err
	}
	return c, nil
}

// validate checks the sizes and options every source of a config (config.json,
// GGUF metadata) must satisfy; src names the source in errors.
func (c *Config) validate(src string) error {
	switch {
	case c.Dim <= 0 || c.Dim > maxDim, c.Layers <= 0 || c.Layers > maxLayers,
		c.Heads <= 0 || c.Heads > maxDim, c.KVHeads <= 0, c.Heads%c.KVHeads != 0,
		c.HeadDimOvr < 0 || c.HeadDimOvr > 4096 || c.Heads*c.HeadDim() > 8*maxDim,
		c.FF <= 0 || c.FF > 8*maxDim, c.Vocab <= 0 || c.Vocab > maxVocab,
		c.MaxPos <= 0 || c.MaxPos > maxPos:
		return fmt.Errorf("%s: invalid sizes %+v", src, *c)
	case c.HeadDimOvr == 0 && c.Dim%c.Heads != 0:
		return fmt.Errorf("%s: hidden size %d not divisible by %d heads", src, c.Dim, c.Heads)
	case c.HeadDim()%2 != 0 && c.Arch == "llama":
		return fmt.Errorf("%s: rotary embedding needs an even head size, got %d", src, c.HeadDim())
	case c.Pooling != "mean" && c.Pooling != "last":
		return fmt.Errorf("%s: cortd_pooling %q (want mean or last)", src, c.Pooling)
	}
	if c.RopeFreqs != nil {
		if c.Rope.Type != "" {
			return fmt.Errorf("%s: both rope frequency factors and rope scaling %q", src, c.Rope.Type)
		}
		if len(*c.RopeFreqs) != c.HeadDim()/2 {
			return fmt.Errorf("%s: %d rope frequency factors for head size %d (want %d)", src, len(*c.RopeFreqs), c.HeadDim(), c.HeadDim()/2)
		}
		for i, f := range *c.RopeFreqs {
			if !(f > 0) || math.IsInf(float64(f), 0) {
				return fmt.Errorf("%s: rope frequency factor %d is %v (want a positive number)", src, i, f)
			}
		}
	}
	return nil
}

// parseLlamaFamily reads the keys that distinguish Llama, Mistral, Qwen2 and
// Qwen3 and refuses every value that would change the maths in a way the
// engine does not implement.
func (c *Config) parseLlamaFamily(r *rawConfig) error {
	if r.HiddenAct != nil && *r.HiddenAct != "silu" {
		return fmt.Errorf("config.json: hidden_act %q not supported (silu)", *r.HiddenAct)
	}
	if r.MLPBias != nil && *r.MLPBias {
		return fmt.Errorf("config.json: mlp_bias true not supported")
	}
	if r.UseMRope != nil && *r.UseMRope {
		return fmt.Errorf("config.json: use_mrope true not supported")
	}
	if r.PartialRot != nil && *r.PartialRot != 1 {
		return fmt.Errorf("config.json: partial_rotary_factor %v not supported", *r.PartialRot)
	}
	attnBias := r.AttnBias != nil && *r.AttnBias
	switch r.ModelType {
	case "llama":
		c.QKVBias, c.OBias = attnBias, attnBias
	case "mistral":
		if attnBias {
			return fmt.Errorf("config.json: attention_bias true not supported for mistral")
		}
	case "qwen2":
		// Qwen2 always has q/k/v biases and never an o_proj bias.
		c.QKVBias = true
	case "qwen3":
		c.QKNorm = true
		c.QKVBias, c.OBias = attnBias, attnBias
	}
	// Sliding-window attention: inside the window it is exactly full
	// attention, so the engine honours it by limiting the context to the
	// window. Mistral applies sliding_window whenever it is set; Qwen2/3
	// only with use_sliding_window.
	if r.SlidingWin != nil && *r.SlidingWin > 0 {
		applies := r.ModelType == "mistral" || (r.UseSliding != nil && *r.UseSliding)
		if r.ModelType == "llama" {
			return fmt.Errorf("config.json: sliding_window not supported for llama")
		}
		if applies && *r.SlidingWin < c.MaxPos {
			c.MaxPos = *r.SlidingWin
		}
	}
	scaling := r.RopeScaling
	if len(r.RopeParams) > 0 && string(r.RopeParams) != "null" {
		// transformers 5 writes rope_parameters {rope_type, rope_theta,
		// and the scaling keys} instead of rope_theta and rope_scaling.
		if len(scaling) > 0 && string(scaling) != "null" {
			return fmt.Errorf("config.json: both rope_scaling and rope_parameters given")
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.RopeParams, &m); err != nil {
			return fmt.Errorf("config.json: rope_parameters: %w", err)
		}
		if v, ok := m["rope_theta"]; ok {
			if err := json.Unmarshal(v, &c.RopeTheta); err != nil || !(c.RopeTheta > 1) || math.IsInf(c.RopeTheta, 0) {
				return fmt.Errorf("config.json: rope_parameters.rope_theta %s is not a base above 1", v)
			}
			delete(m, "rope_theta")
		}
		scaling, _ = json.Marshal(m)
	}
	if !(c.RopeTheta > 1) || math.IsInf(c.RopeTheta, 0) {
		return fmt.Errorf("config.json: rope_theta %v is not a base above 1", c.RopeTheta)
	}
	rs, err := parseRopeScaling(scaling)
	if err != nil {
		return err
	}
	c.Rope = rs
	return nil
}

// RopeScaling is config.json's rope_scaling: the rotary frequencies are
// rescaled for a longer context. Type "" means none.
type RopeScaling struct {
	Type       string  // "", "linear" or "llama3"
	Factor     float64 // both types
	LowFreq    float64 // llama3: low_freq_factor
	HighFreq   float64 // llama3: high_freq_factor
	OrigMaxPos float64 // llama3: original_max_position_embeddings
}

func parseRopeScaling(raw json.RawMessage) (RopeScaling, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return RopeScaling{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return RopeScaling{}, fmt.Errorf("config.json: rope_scaling: %w", err)
	}
	typ := ""
	for _, key := range []string{"rope_type", "type"} {
		if v, ok := m[key]; ok {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return RopeScaling{}, fmt.Errorf("config.json: rope_scaling.%s: %w", key, err)
			}
			if typ != "" && s != typ {
				return RopeScaling{}, fmt.Errorf("config.json: rope_scaling: rope_type %q and type %q disagree", typ, s)
			}
			typ = s
		}
	}
	num := func(key string) (float64, error) {
		v, ok := m[key]
		if !ok {
			return 0, fmt.Errorf("config.json: rope_scaling.%s missing", key)
		}
		var f float64
		if err := json.Unmarshal(v, &f); err != nil {
			return 0, fmt.Errorf("config.json: rope_scaling.%s: %w", key, err)
		}
		if !(f > 0) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("config.json: rope_scaling.%s = %v, want a positive number", key, f)
		}
		return f, nil
	}
	known := map[string]bool{"rope_type": true, "type": true, "factor": true}
	rs := RopeScaling{Type: typ}
	var err error
	switch typ {
	case "default":
		for k := range m {
			if !known[k] || k == "factor" {
				return RopeScaling{}, fmt.Errorf("config.json: rope_scaling.%s not supported for rope_type \"default\"", k)
			}
		}
		return RopeScaling{}, nil
	case "linear":
		if rs.Factor, err = num("factor"); err != nil {
			return rs, err
		}
	case "llama3":
		for _, k := range []string{"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"} {
			known[k] = true
		}
		if rs.Factor, err = num("factor"); err != nil {
			return rs, err
		}
		if rs.LowFreq, err = num("low_freq_factor"); err != nil {
			return rs, err
		}
		if rs.HighFreq, err = num("high_freq_factor"); err != nil {
			return rs, err
		}
		if rs.OrigMaxPos, err = num("original_max_position_embeddings"); err != nil {
			return rs, err
		}
		if rs.HighFreq <= rs.LowFreq {
			return rs, fmt.Errorf("config.json: rope_scaling: high_freq_factor %v must exceed low_freq_factor %v", rs.HighFreq, rs.LowFreq)
		}
	case "":
		return rs, fmt.Errorf("config.json: rope_scaling has no rope_type")
	default:
		return rs, fmt.Errorf("config.json: rope_scaling rope_type %q not supported (linear, llama3)", typ)
	}
	for k := range m {
		if !known[k] {
			return rs, fmt.Errorf("config.json: rope_scaling.%s not supported for rope_type %q", k, typ)
		}
	}
	return rs, nil
}
