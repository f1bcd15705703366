// Package native is the pure-Go transformer backend: GPT-2 and Llama models
// from Hugging Face folders (config.json, model.safetensors, tokenizer.json),
// computed with the deterministic kernels so every machine gets the same bits.
package native

import (
	"encoding/json"
	"fmt"
	"os"
)

// Config is the subset of a Hugging Face config.json the engine uses.
type Config struct {
	Arch       string  // "gpt2" or "llama"
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
}

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
	Hidden       int      `json:"hidden_size"`
	NumLayers    int      `json:"num_hidden_layers"`
	NumHeads     int      `json:"num_attention_heads"`
	NumKVHeads   int      `json:"num_key_value_heads"`
	Intermediate int      `json:"intermediate_size"`
	MaxPosEmb    int      `json:"max_position_embeddings"`
	RMSEps       *float64 `json:"rms_norm_eps"`
	RopeTheta    float64  `json:"rope_theta"`
	TieWord      *bool    `json:"tie_word_embeddings"`
	HeadDim      int      `json:"head_dim"`
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
	c := &Config{Vocab: r.VocabSize, Pooling: r.Pooling}
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
	case "llama":
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
	default:
		return nil, fmt.Errorf("config.json: model_type %q not supported (gpt2, llama)", r.ModelType)
	}
	if c.Pooling == "" {
		c.Pooling = "mean"
	}
	switch {
	case c.Dim <= 0 || c.Dim > maxDim, c.Layers <= 0 || c.Layers > maxLayers,
		c.Heads <= 0, c.KVHeads <= 0, c.Heads%c.KVHeads != 0,
		c.FF <= 0 || c.FF > 8*maxDim, c.Vocab <= 0 || c.Vocab > maxVocab,
		c.MaxPos <= 0 || c.MaxPos > maxPos:
		return nil, fmt.Errorf("config.json: invalid sizes %+v", *c)
	case c.HeadDimOvr == 0 && c.Dim%c.Heads != 0:
		return nil, fmt.Errorf("config.json: hidden size %d not divisible by %d heads", c.Dim, c.Heads)
	case c.HeadDim()%2 != 0 && c.Arch == "llama":
		return nil, fmt.Errorf("config.json: rotary embedding needs an even head size, got %d", c.HeadDim())
	case c.Pooling != "mean" && c.Pooling != "last":
		return nil, fmt.Errorf("config.json: cortd_pooling %q (want mean or last)", c.Pooling)
	}
	return c, nil
}
