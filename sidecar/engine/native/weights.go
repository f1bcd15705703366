package native

import (
	"fmt"
	"math"
	"path/filepath"
	"sync"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// layer holds one block's weights. Matrices are packed in panel layout
// (in x out); GPT-2 fuses q, k, v into qkv, Llama keeps them apart.
type layer struct {
	norm1W, norm1B []float32
	norm2W, norm2B []float32
	qkv            kernels.Panels // GPT-2: D x 3D
	qkvB           []float32
	q, k, v        kernels.Panels // Llama
	qB, kB, vB     []float32      // Qwen2 (and attention_bias)
	qNorm, kNorm   []float32      // Qwen3: per-head RMSNorm weights (HeadDim)
	o              kernels.Panels
	oB             []float32
	up, gate, down kernels.Panels
	upB, downB     []float32
}

// Model is a loaded model: config, tokenizer and packed weights. It is
// read-only after Load and shared by concurrent requests.
type Model struct {
	Name             string
	Cfg              *Config
	Tok              *tokenizer.Tokenizer
	tokEmb           []float32 // V x D
	posEmb           []float32 // MaxPos x D (GPT-2)
	layers           []layer
	normW            []float32
	normB            []float32
	lmHead           kernels.Panels // D x V
	ropeCos, ropeSin []float32
	pool             statePool
	// BatchCfg configures batching of EmbedBatch and LossBatch; set it
	// before their first call (the manager sets it at load).
	BatchCfg  BatchConfig
	batchOnce sync.Once
	batcher   *batcher
	// Bytes is the memory the weights take (for the manager's budget).
	Bytes int64
	eos   []int // token ids that end a generation (generation.go); nil: Tok.EOS()
}

type loader struct {
	w      *safetensors.Weights
	prefix string
	bytes  int64
	err    error
}

// has reports whether the weights hold a tensor (after the prefix).
func (l *loader) has(name string) bool {
	return l.w.Has(l.prefix+name) || l.w.Has(name)
}

// get reads a tensor, checks its shape and that every value is finite;
// errors stick so the caller can read many tensors and check once.
func (l *loader) get(name string, shape ...int) []float32 {
	if l.err != nil {
		return nil
	}
	full := l.prefix + name
	if !l.w.Has(full) {
		full = name
	}
	v, ti, file, err := l.w.Float32(full)
	if err != nil {
		l.err = err
		return nil
	}
	bad := len(ti.Shape) != len(shape)
	for i := 0; !bad && i < len(shape); i++ {
		bad = ti.Shape[i] != shape[i]
	}
	if bad {
		l.err = fmt.Errorf("%s: tensor %s: shape %v, want %v", file, full, ti.Shape, shape)
		return nil
	}
	for i, x := range v {
		// NaN and ±Inf are exactly the values with every exponent bit set.
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
			l.err = fmt.Errorf("%s: tensor %s: element %d is %v (weights must be finite)", file, full, i, x)
			return nil
		}
	}
	l.bytes += int64(4 * len(v))
	return v
}

// pack reads a weight matrix and converts it to panels. torch Linear stores
// out x in (transposed); GPT-2's Conv1D stores in x out.
func (l *loader) pack(name string, in, out int, linear bool) kernels.Panels {
	var v []float32
	if linear {
		v = l.get(name, out, in)
	} else {
		v = l.get(name, in, out)
	}
	if v == nil {
		return kernels.Panels{}
	}
	p := kernels.Pack(v, in, out, linear)
	l.bytes += int64(4*len(p.Data)) - int64(4*len(v))
	return p
}

// Load reads a model folder: config.json, tokenizer.json and the weights,
// one model.safetensors or shards listed by model.safetensors.index.json.
func Load(dir string) (*Model, error) {
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() > cfg.Vocab {
		return nil, fmt.Errorf("%s: tokenizer.json has %d tokens, config.json's vocab_size is %d", dir, tok.VocabSize(), cfg.Vocab)
	}
	eos, err := EOSIDs(dir, cfg.Vocab, tok)
	if err != nil {
		return nil, err
	}
	m, err := loadWeights(dir, cfg)
	if err != nil {
		return nil, err
	}
	m.Tok, m.eos = tok, eos
	return m, nil
}

// loadWeights reads a folder's weights for cfg: one model.safetensors or
// sharded with model.safetensors.index.json, in f32, f16 or bf16. Every
// tensor is checked for shape and finite values; errors name the file and
// the tensor.
func loadWeights(dir string, cfg *Config) (*Model, error) {
	w, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	m := &Model{Name: filepath.Base(dir), Cfg: cfg}
	l := &loader{w: w}
	switch cfg.Arch {
	case "gpt2":
		m.loadGPT2(l)
	case "llama":
		m.loadLlama(l)
	}
	if l.err != nil {
		return nil, l.err // names the file (or folder) and the tensor
	}
	m.Bytes = l.bytes + m.ropeBytes()
	return m, nil
}

// EncodePrompt tokenizes text for the model as Hugging Face's
// encode(text) does: the tokenizer applies its post-processor, so BOS comes
// first exactly where tokenizer.json says (Llama 2/3 and Mistral add it,
// GPT-2 and Qwen do not). Loss, embeddings and prompt logprobs use it.
func (m *Model) EncodePrompt(text string) []int { return m.Tok.Encode(text) }

// ropeBytes is the memory of the rotary tables (counted in the footprint).
func (m *Model) ropeBytes() int64 { return int64(4 * (len(m.ropeCos) + len(m.ropeSin))) }

func (m *Model) loadGPT2(l *loader) {
	c := m.Cfg
	D, F, V := c.Dim, c.FF, c.Vocab
	if l.w.Has("transformer.wte.weight") {
		l.prefix = "transformer."
	}
	m.tokEmb = l.get("wte.weight", V, D)
	m.posEmb = l.get("wpe.weight", c.MaxPos, D)
	m.layers = make([]layer, c.Layers)
	for i := range m.layers {
		ly := &m.layers[i]
		p := fmt.Sprintf("h.%d.", i)
		ly.norm1W, ly.norm1B = l.get(p+"ln_1.weight", D), l.get(p+"ln_1.bias", D)
		ly.qkv, ly.qkvB = l.pack(p+"attn.c_attn.weight", D, 3*D, false), l.get(p+"attn.c_attn.bias", 3*D)
		ly.o, ly.oB = l.pack(p+"attn.c_proj.weight", D, D, false), l.get(p+"attn.c_proj.bias", D)
		ly.norm2W, ly.norm2B = l.get(p+"ln_2.weight", D), l.get(p+"ln_2.bias", D)
		ly.up, ly.upB = l.pack(p+"mlp.c_fc.weight", D, F, false), l.get(p+"mlp.c_fc.bias", F)
		ly.down, ly.downB = l.pack(p+"mlp.c_proj.weight", F, D, false), l.get(p+"mlp.c_proj.bias", D)
	}
	m.normW, m.normB = l.get("ln_f.weight", D), l.get("ln_f.bias", D)
	if m.tokEmb != nil {
		m.lmHead = kernels.Pack(m.tokEmb, D, V, true)
		l.bytes += int64(4 * len(m.lmHead.Data))
	}
}

func (m *Model) loadLlama(l *loader) {
	c := m.Cfg
	D, F, V, hd := c.Dim, c.FF, c.Vocab, c.HeadDim()
	m.tokEmb = l.get("model.embed_tokens.weight", V, D)
	m.layers = make([]layer, c.Layers)
	for i := range m.layers {
		ly := &m.layers[i]
		p := fmt.Sprintf("model.layers.%d.", i)
		ly.norm1W = l.get(p+"input_layernorm.weight", D)
		ly.q = l.pack(p+"self_attn.q_proj.weight", D, c.Heads*hd, true)
		ly.k = l.pack(p+"self_attn.k_proj.weight", D, c.KVHeads*hd, true)
		ly.v = l.pack(p+"self_attn.v_proj.weight", D, c.KVHeads*hd, true)
		ly.o = l.pack(p+"self_attn.o_proj.weight", c.Heads*hd, D, true)
		if c.QKVBias {
			ly.qB = l.get(p+"self_attn.q_proj.bias", c.Heads*hd)
			ly.kB = l.get(p+"self_attn.k_proj.bias", c.KVHeads*hd)
			ly.vB = l.get(p+"self_attn.v_proj.bias", c.KVHeads*hd)
		}
		if c.OBias {
			ly.oB = l.get(p+"self_attn.o_proj.bias", D)
		}
		if c.QKNorm {
			ly.qNorm = l.get(p+"self_attn.q_norm.weight", hd)
			ly.kNorm = l.get(p+"self_attn.k_norm.weight", hd)
		}
		ly.norm2W = l.get(p+"post_attention_layernorm.weight", D)
		ly.gate = l.pack(p+"mlp.gate_proj.weight", D, F, true)
		ly.up = l.pack(p+"mlp.up_proj.weight", D, F, true)
		ly.down = l.pack(p+"mlp.down_proj.weight", F, D, true)
	}
	m.normW = l.get("model.norm.weight", D)
	if !c.TieEmbed {
		// Untied: the checkpoint must carry lm_head (transformers would
		// otherwise initialise it randomly, which no published model wants).
		m.lmHead = l.pack("lm_head.weight", D, V, true)
	} else if m.tokEmb != nil {
		m.lmHead = kernels.Pack(m.tokEmb, D, V, true)
		l.bytes += int64(4 * len(m.lmHead.Data))
	}
	m.initRope()
}

// initRope tabulates cos/sin of pos*theta^(-2i/hd) once per model. The
// angles are computed in float64 with the standard library's Sin/Cos,
// which are pure Go on every architecture (no per-architecture assembly),
// so the tables are identical everywhere.
func (m *Model) initRope() {
	c := m.Cfg
	half := c.HeadDim() / 2
	m.ropeCos = make([]float32, c.MaxPos*half)
	m.ropeSin = make([]float32, c.MaxPos*half)
	for i := 0; i < half; i++ {
		inv := scaledInvFreq(c.Rope, ropeInvFreq(c.RopeTheta, i, c.HeadDim()))
		for p := 0; p < c.MaxPos; p++ {
			a := float64(float64(p) * inv)
			m.ropeCos[p*half+i] = float32(cosPure(a))
			m.ropeSin[p*half+i] = float32(sinPure(a))
		}
	}
}
