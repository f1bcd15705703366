package native

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cortnet/cortd/sidecar/engine/gguf"
)

// GGUF metadata as llama.cpp's convert_hf_to_gguf.py writes it and
// llama.cpp reads it (gguf-py's constants): general.architecture names the
// family ("gpt2", "llama" for Llama 2/3 and Mistral, "qwen2", "qwen3") and
// the hyperparameters are "{arch}.<key>".
//
// Three keys of the engine's own ("cortd.*", which llama.cpp ignores) keep
// what GGUF has no key for, so a file the converter wrote gives back
// exactly the config of its folder: cortd.model_type (config.json's
// model_type: "mistral" files are arch "llama"), cortd.pooling (the
// embedding pooling), and cortd.rope.llama3.{factor, low_freq_factor,
// high_freq_factor, original_context_length}, Llama 3's rope_scaling
// parameters, next to the rope_freqs.weight tensor llama.cpp reads. When
// they agree with the tensor the engine uses transformers' formula (the
// bits of the safetensors model); without them it divides by the tensor's
// factors.
const (
	keyArch       = "general.architecture"
	keyName       = "general.name"
	keyFileType   = "general.file_type"
	keyQuantVer   = "general.quantization_version"
	keyModelType  = "cortd.model_type"
	keyPooling    = "cortd.pooling"
	keyLlama3     = "cortd.rope.llama3."
	ropeFreqsName = "rope_freqs.weight"
	tokenEmbdName = "token_embd.weight"
	outputName    = "output.weight"
)

// GGUFArch is the general.architecture of a config's family.
func GGUFArch(c *Config) (string, error) {
	switch c.ModelType {
	case "gpt2":
		return "gpt2", nil
	case "llama", "mistral":
		return "llama", nil
	case "qwen2", "qwen3":
		return c.ModelType, nil
	}
	return "", fmt.Errorf("model_type %q has no GGUF architecture (gpt2, llama, mistral, qwen2, qwen3)", c.ModelType)
}

// ConfigFromGGUF reads a model's config from a GGUF file's metadata and
// tensor infos (and its small rope_freqs.weight tensor): sizes from the
// {arch}.* keys, the vocabulary from token_embd.weight, tied embeddings
// from the absence of output.weight, biases and q/k norms from the
// tensors present. Values the engine does not implement (partial rotary,
// yarn scaling, key and value heads of different sizes) are refused.
func ConfigFromGGUF(f *gguf.File) (*Config, error) {
	src := f.Path
	if src == "" {
		src = "gguf"
	}
	fail := func(format string, a ...any) (*Config, error) {
		return nil, fmt.Errorf("%s: %s", src, fmt.Sprintf(format, a...))
	}
	arch, err := f.String(keyArch)
	if err != nil {
		return nil, err
	}
	c := &Config{ModelType: arch, Pooling: "mean"}
	switch arch {
	case "gpt2":
		c.Arch = "gpt2"
	case "llama", "qwen2", "qwen3":
		c.Arch = "llama"
	default:
		return fail("general.architecture %q not supported (gpt2, llama, qwen2, qwen3)", arch)
	}
	if mt, err := optString(f, keyModelType); err != nil {
		return nil, err
	} else if mt != "" {
		if a, err := GGUFArch(&Config{ModelType: mt}); err != nil || a != arch {
			return fail("%s %q does not belong to architecture %q", keyModelType, mt, arch)
		}
		c.ModelType = mt
	}
	if p, err := optString(f, keyPooling); err != nil {
		return nil, err
	} else if p != "" {
		c.Pooling = p
	}
	size := func(key string, dst *int, required bool) error {
		u, err := f.Uint(arch + "." + key)
		if errors.Is(err, gguf.ErrMissing) && !required {
			return nil
		}
		if err != nil {
			return err
		}
		if u == 0 || u > 1<<31 {
			return fmt.Errorf("%s: %s.%s = %d is not a size", src, arch, key, u)
		}
		*dst = int(u)
		return nil
	}
	for _, k := range []struct {
		key string
		dst *int
		req bool
	}{
		{"context_length", &c.MaxPos, true}, {"embedding_length", &c.Dim, true}, {"block_count", &c.Layers, true},
		{"feed_forward_length", &c.FF, true}, {"attention.head_count", &c.Heads, true},
		{"attention.head_count_kv", &c.KVHeads, false}, {"attention.key_length", &c.HeadDimOvr, false},
	} {
		if err := size(k.key, k.dst, k.req); err != nil {
			return nil, err
		}
	}
	if c.KVHeads == 0 {
		c.KVHeads = c.Heads
	}
	if vl, err := optUint(f, arch+".attention.value_length"); err != nil {
		return nil, err
	} else if vl != 0 && int(vl) != c.HeadDim() {
		return fail("%s.attention.value_length %d differs from the key length %d (not supported)", arch, vl, c.HeadDim())
	}
	epsKey := arch + ".attention.layer_norm_rms_epsilon"
	if c.Arch == "gpt2" {
		epsKey = arch + ".attention.layer_norm_epsilon"
	}
	eps, err := f.Float(epsKey)
	if err != nil {
		return nil, err
	}
	if !(eps > 0 && eps < 1) {
		return fail("%s = %v is not a norm epsilon", epsKey, eps)
	}
	c.Eps = float32(eps)
	emb, ok := f.Tensor(tokenEmbdName)
	if !ok {
		return fail("no tensor %s", tokenEmbdName)
	}
	if len(emb.Dims) != 2 || emb.Dims[0] != c.Dim {
		return fail("tensor %s has dims %v, want [%d, vocab]", tokenEmbdName, emb.Dims, c.Dim)
	}
	c.Vocab = emb.Dims[1]
	if v, err := optUint(f, arch+".vocab_size"); err != nil {
		return nil, err
	} else if v != 0 && int(v) != c.Vocab {
		return fail("%s.vocab_size %d differs from %s's %d rows", arch, v, tokenEmbdName, c.Vocab)
	}
	c.TieEmbed = !f.HasTensor(outputName)
	if c.Arch == "llama" {
		if err := ropeFromGGUF(f, c, arch, src); err != nil {
			return nil, err
		}
		c.QKVBias = f.HasTensor("blk.0.attn_q.bias")
		c.OBias = f.HasTensor("blk.0.attn_output.bias")
		c.QKNorm = f.HasTensor("blk.0.attn_q_norm.weight")
		switch {
		case arch == "qwen2" && (!c.QKVBias || c.OBias):
			return fail("qwen2 has q/k/v biases and no attn_output bias (blk.0.attn_q.bias %v, blk.0.attn_output.bias %v)", c.QKVBias, c.OBias)
		case arch == "qwen3" && !c.QKNorm:
			return fail("qwen3 without blk.0.attn_q_norm.weight")
		case arch != "qwen3" && c.QKNorm:
			return fail("%s with q/k norms (blk.0.attn_q_norm.weight) is not supported", arch)
		case c.ModelType == "mistral" && (c.QKVBias || c.OBias):
			return fail("mistral with attention biases is not supported")
		case arch == "llama" && c.QKVBias != c.OBias:
			return fail("llama with attention biases on q/k/v %v but on the output %v (attention_bias sets both)", c.QKVBias, c.OBias)
		}
	} else {
		for _, k := range []string{"rope.dimension_count", "rope.freq_base"} {
			if f.Has(arch + "." + k) {
				return fail("gpt2 file with %s.%s (gpt2 has no rotary embedding)", arch, k)
			}
		}
		if c.KVHeads != c.Heads {
			return fail("gpt2 with %d key/value heads for %d heads", c.KVHeads, c.Heads)
		}
		if c.HeadDimOvr != 0 && c.HeadDimOvr != c.Dim/c.Heads {
			return fail("gpt2 with attention.key_length %d != %d/%d", c.HeadDimOvr, c.Dim, c.Heads)
		}
		c.HeadDimOvr = 0
	}
	if c.Vocab > maxVocab {
		return fail("vocabulary of %d tokens exceeds %d", c.Vocab, maxVocab)
	}
	if err := c.validate(src); err != nil {
		return nil, err
	}
	return c, nil
}

// ropeFromGGUF reads the rotary keys of a llama-family file.
func ropeFromGGUF(f *gguf.File, c *Config, arch, src string) error {
	c.RopeTheta = 10000
	if th, err := f.Float(arch + ".rope.freq_base"); err == nil {
		c.RopeTheta = th
	} else if !errors.Is(err, gguf.ErrMissing) {
		return err
	}
	if !(c.RopeTheta > 1) || math.IsInf(c.RopeTheta, 0) {
		return fmt.Errorf("%s: %s.rope.freq_base %v is not a base above 1", src, arch, c.RopeTheta)
	}
	if rd, err := optUint(f, arch+".rope.dimension_count"); err != nil {
		return err
	} else if rd != 0 && int(rd) != c.HeadDim() {
		return fmt.Errorf("%s: %s.rope.dimension_count %d is not the head size %d (partial rotary embeddings are not supported)", src, arch, rd, c.HeadDim())
	}
	typ, err := optString(f, arch+".rope.scaling.type")
	if err != nil {
		return err
	}
	switch typ {
	case "", "none":
	case "linear":
		fac, err := f.Float(arch + ".rope.scaling.factor")
		if err != nil {
			return err
		}
		if !(fac > 0) || math.IsInf(fac, 0) {
			return fmt.Errorf("%s: %s.rope.scaling.factor %v is not a positive factor", src, arch, fac)
		}
		if fac != 1 {
			c.Rope = RopeScaling{Type: "linear", Factor: fac}
		}
	default:
		return fmt.Errorf("%s: %s.rope.scaling.type %q not supported (none, linear)", src, arch, typ)
	}
	ti, ok := f.Tensor(ropeFreqsName)
	if !ok {
		if f.Has(keyLlama3 + "factor") {
			return fmt.Errorf("%s: %sfactor without a %s tensor", src, keyLlama3, ropeFreqsName)
		}
		return nil
	}
	if c.Rope.Type != "" {
		return fmt.Errorf("%s: both %s and rope scaling %q", src, ropeFreqsName, c.Rope.Type)
	}
	if ti.Type.String() != "F32" || len(ti.Dims) != 1 || ti.Dims[0] != c.HeadDim()/2 {
		return fmt.Errorf("%s: tensor %s is %s %v, want F32 [%d]", src, ropeFreqsName, ti.Type, ti.Dims, c.HeadDim()/2)
	}
	b, err := f.TensorBytes(ropeFreqsName)
	if err != nil {
		return err
	}
	fac := make(FreqFactors, len(b)/4)
	for i := range fac {
		fac[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	c.RopeFreqs = &fac
	if !f.Has(keyLlama3 + "factor") {
		return nil
	}
	rs := RopeScaling{Type: "llama3"}
	for _, p := range []struct {
		key string
		dst *float64
	}{{"factor", &rs.Factor}, {"low_freq_factor", &rs.LowFreq}, {"high_freq_factor", &rs.HighFreq}, {"original_context_length", &rs.OrigMaxPos}} {
		v, err := f.Float(keyLlama3 + p.key)
		if err != nil {
			return err
		}
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: %s%s = %v, want a positive number", src, keyLlama3, p.key, v)
		}
		*p.dst = v
	}
	if rs.HighFreq <= rs.LowFreq {
		return fmt.Errorf("%s: %shigh_freq_factor %v must exceed low_freq_factor %v", src, keyLlama3, rs.HighFreq, rs.LowFreq)
	}
	want := llama3FreqFactors(c, rs)
	for i := range want {
		if want[i] != fac[i] {
			return fmt.Errorf("%s: %s[%d] = %v, but the %s* keys give %v", src, ropeFreqsName, i, fac[i], keyLlama3, want[i])
		}
	}
	c.RopeFreqs, c.Rope = nil, rs
	return nil
}

// llama3FreqFactors is the rope_freqs.weight llama.cpp's converter writes
// for Llama 3 rope scaling: 1 for high frequencies, the factor for low
// ones, 1/((1-smooth)/factor + smooth) between (so dividing an inverse
// frequency by it is transformers' _compute_llama3_parameters).
func llama3FreqFactors(c *Config, rs RopeScaling) []float32 {
	half := c.HeadDim() / 2
	out := make([]float32, half)
	for i := range out {
		inv := ropeInvFreq(c.RopeTheta, i, c.HeadDim())
		out[i] = float32(float64(inv / scaledInvFreq(rs, inv)))
	}
	return out
}

func optString(f *gguf.File, key string) (string, error) {
	s, err := f.String(key)
	if errors.Is(err, gguf.ErrMissing) {
		return "", nil
	}
	return s, err
}

func optUint(f *gguf.File, key string) (uint64, error) {
	u, err := f.Uint(key)
	if errors.Is(err, gguf.ErrMissing) {
		return 0, nil
	}
	return u, err
}

// GGUFFileType is general.file_type (llama.cpp's llama_ftype) for a mix.
func GGUFFileType(mix string) (uint32, error) {
	switch mix {
	case "f32":
		return 0, nil
	case "f16":
		return 1, nil
	case "q4_0":
		return 2, nil
	case "q8_0":
		return 7, nil
	case "q4_k_m":
		return 15, nil
	case "bf16":
		return 32, nil
	}
	return 0, fmt.Errorf("mix %q has no GGUF file type", mix)
}

// PutGGUFConfig writes c's general.architecture and {arch}.* keys (and the
// cortd.* keys) as llama.cpp's converter does. The rope_freqs.weight
// tensor a Llama 3 config needs is the caller's (GGUFTensors lists it,
// RopeFreqsData gives its bytes).
func PutGGUFConfig(w *gguf.Writer, c *Config) error {
	arch, err := GGUFArch(c)
	if err != nil {
		return err
	}
	u32 := func(v int) uint32 { return uint32(v) }
	kvs := []gguf.KV{
		{Key: keyArch, Value: arch},
		{Key: arch + ".context_length", Value: u32(c.MaxPos)},
		{Key: arch + ".embedding_length", Value: u32(c.Dim)},
		{Key: arch + ".feed_forward_length", Value: u32(c.FF)},
		{Key: arch + ".block_count", Value: u32(c.Layers)},
		{Key: arch + ".attention.head_count", Value: u32(c.Heads)},
	}
	if c.Arch == "gpt2" {
		kvs = append(kvs, gguf.KV{Key: arch + ".attention.layer_norm_epsilon", Value: c.Eps})
	} else {
		kvs = append(kvs,
			gguf.KV{Key: arch + ".attention.head_count_kv", Value: u32(c.KVHeads)},
			gguf.KV{Key: arch + ".attention.layer_norm_rms_epsilon", Value: c.Eps},
			gguf.KV{Key: arch + ".rope.freq_base", Value: float32(c.RopeTheta)},
			gguf.KV{Key: arch + ".rope.dimension_count", Value: u32(c.HeadDim())})
		if float64(float32(c.RopeTheta)) != c.RopeTheta {
			return fmt.Errorf("rope_theta %v is not exactly a float32 (GGUF's rope.freq_base)", c.RopeTheta)
		}
		if c.HeadDimOvr > 0 {
			kvs = append(kvs, gguf.KV{Key: arch + ".attention.key_length", Value: u32(c.HeadDimOvr)},
				gguf.KV{Key: arch + ".attention.value_length", Value: u32(c.HeadDimOvr)})
		}
		switch c.Rope.Type {
		case "":
		case "linear":
			if float64(float32(c.Rope.Factor)) != c.Rope.Factor {
				return fmt.Errorf("rope_scaling factor %v is not exactly a float32", c.Rope.Factor)
			}
			kvs = append(kvs, gguf.KV{Key: arch + ".rope.scaling.type", Value: "linear"},
				gguf.KV{Key: arch + ".rope.scaling.factor", Value: float32(c.Rope.Factor)})
		case "llama3":
			kvs = append(kvs, gguf.KV{Key: keyLlama3 + "factor", Value: c.Rope.Factor},
				gguf.KV{Key: keyLlama3 + "low_freq_factor", Value: c.Rope.LowFreq},
				gguf.KV{Key: keyLlama3 + "high_freq_factor", Value: c.Rope.HighFreq},
				gguf.KV{Key: keyLlama3 + "original_context_length", Value: c.Rope.OrigMaxPos})
		default:
			return fmt.Errorf("rope scaling %q has no GGUF form", c.Rope.Type)
		}
	}
	kvs = append(kvs, gguf.KV{Key: arch + ".vocab_size", Value: u32(c.Vocab)}, gguf.KV{Key: keyModelType, Value: c.ModelType})
	if c.Pooling != "mean" {
		kvs = append(kvs, gguf.KV{Key: keyPooling, Value: c.Pooling})
	}
	for _, kv := range kvs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			return err
		}
	}
	return nil
}

// RopeFreqsData is the rope_freqs.weight tensor (F32 little-endian) of a
// Llama 3 config, nil for others.
func RopeFreqsData(c *Config) []byte {
	var fac []float32
	switch {
	case c.RopeFreqs != nil:
		fac = *c.RopeFreqs
	case c.Rope.Type == "llama3":
		fac = llama3FreqFactors(c, c.Rope)
	default:
		return nil
	}
	b := make([]byte, 0, 4*len(fac))
	for _, x := range fac {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}
