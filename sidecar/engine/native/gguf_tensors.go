package native

import (
	"fmt"
	"strconv"
	"strings"
)

// GGUFTensor is one tensor of a model's GGUF file and where it comes from
// in the Hugging Face folder.
type GGUFTensor struct {
	Name string // GGUF name, e.g. "blk.0.attn_q.weight"
	HF   string // Hugging Face name (GPT-2's without "transformer."); "" for rope_freqs.weight, which comes from the config
	// Dims is GGUF's ne: Dims[0] is the row length. A torch Linear of
	// out x in is [in, out]; the token embedding (V x D) is [D, V].
	Dims []int
	// Transpose: the HF tensor is GPT-2 Conv1D's in x out, transposed so
	// that each GGUF row is one output (llama.cpp's GPT2Model does the same).
	Transpose bool
	// PermuteHeads > 0: the rows are reordered per head as llama.cpp's
	// LlamaModel.permute does for the llama architecture's q and k (weights
	// and biases), for that many heads: the engine's rotate-half pairs
	// (j, j+hd/2) become GGUF's adjacent pairs (2j, 2j+1). UnpermuteRows
	// undoes it when loading.
	PermuteHeads int
	Layer        int // block index, -1 outside the blocks
}

// Rows is the number of rows (Dims[1], 1 for a vector).
func (t GGUFTensor) Rows() int {
	if len(t.Dims) == 1 {
		return 1
	}
	return t.Dims[1]
}

// GGUFTensors lists every tensor of c's GGUF file in the order the
// converter writes them (llama.cpp's: embeddings, rope_freqs, the blocks,
// the output norm and head).
func GGUFTensors(c *Config) ([]GGUFTensor, error) {
	arch, err := GGUFArch(c)
	if err != nil {
		return nil, err
	}
	var ts []GGUFTensor
	add := func(name, hf string, layer int, dims ...int) *GGUFTensor {
		ts = append(ts, GGUFTensor{Name: name, HF: hf, Dims: dims, Layer: layer})
		return &ts[len(ts)-1]
	}
	D, F, V := c.Dim, c.FF, c.Vocab
	if c.Arch == "gpt2" {
		add(tokenEmbdName, "wte.weight", -1, D, V)
		add("position_embd.weight", "wpe.weight", -1, D, c.MaxPos)
		for i := 0; i < c.Layers; i++ {
			b, h := fmt.Sprintf("blk.%d.", i), fmt.Sprintf("h.%d.", i)
			add(b+"attn_norm.weight", h+"ln_1.weight", i, D)
			add(b+"attn_norm.bias", h+"ln_1.bias", i, D)
			add(b+"attn_qkv.weight", h+"attn.c_attn.weight", i, D, 3*D).Transpose = true
			add(b+"attn_qkv.bias", h+"attn.c_attn.bias", i, 3*D)
			add(b+"attn_output.weight", h+"attn.c_proj.weight", i, D, D).Transpose = true
			add(b+"attn_output.bias", h+"attn.c_proj.bias", i, D)
			add(b+"ffn_norm.weight", h+"ln_2.weight", i, D)
			add(b+"ffn_norm.bias", h+"ln_2.bias", i, D)
			add(b+"ffn_up.weight", h+"mlp.c_fc.weight", i, D, F).Transpose = true
			add(b+"ffn_up.bias", h+"mlp.c_fc.bias", i, F)
			add(b+"ffn_down.weight", h+"mlp.c_proj.weight", i, F, D).Transpose = true
			add(b+"ffn_down.bias", h+"mlp.c_proj.bias", i, D)
		}
		add("output_norm.weight", "ln_f.weight", -1, D)
		add("output_norm.bias", "ln_f.bias", -1, D)
		if !c.TieEmbed {
			add(outputName, "lm_head.weight", -1, D, V)
		}
		return ts, nil
	}
	hd := c.HeadDim()
	qH, kH := 0, 0
	if arch == "llama" {
		qH, kH = c.Heads, c.KVHeads
	}
	add(tokenEmbdName, "model.embed_tokens.weight", -1, D, V)
	if c.Rope.Type == "llama3" || c.RopeFreqs != nil {
		add(ropeFreqsName, "", -1, hd/2)
	}
	for i := 0; i < c.Layers; i++ {
		b, h := fmt.Sprintf("blk.%d.", i), fmt.Sprintf("model.layers.%d.", i)
		add(b+"attn_norm.weight", h+"input_layernorm.weight", i, D)
		add(b+"attn_q.weight", h+"self_attn.q_proj.weight", i, D, c.Heads*hd).PermuteHeads = qH
		add(b+"attn_k.weight", h+"self_attn.k_proj.weight", i, D, c.KVHeads*hd).PermuteHeads = kH
		add(b+"attn_v.weight", h+"self_attn.v_proj.weight", i, D, c.KVHeads*hd)
		if c.QKVBias {
			add(b+"attn_q.bias", h+"self_attn.q_proj.bias", i, c.Heads*hd).PermuteHeads = qH
			add(b+"attn_k.bias", h+"self_attn.k_proj.bias", i, c.KVHeads*hd).PermuteHeads = kH
			add(b+"attn_v.bias", h+"self_attn.v_proj.bias", i, c.KVHeads*hd)
		}
		if c.QKNorm {
			add(b+"attn_q_norm.weight", h+"self_attn.q_norm.weight", i, hd)
			add(b+"attn_k_norm.weight", h+"self_attn.k_norm.weight", i, hd)
		}
		add(b+"attn_output.weight", h+"self_attn.o_proj.weight", i, c.Heads*hd, D)
		if c.OBias {
			add(b+"attn_output.bias", h+"self_attn.o_proj.bias", i, D)
		}
		add(b+"ffn_norm.weight", h+"post_attention_layernorm.weight", i, D)
		add(b+"ffn_gate.weight", h+"mlp.gate_proj.weight", i, D, F)
		add(b+"ffn_up.weight", h+"mlp.up_proj.weight", i, D, F)
		add(b+"ffn_down.weight", h+"mlp.down_proj.weight", i, F, D)
	}
	add("output_norm.weight", "model.norm.weight", -1, D)
	if !c.TieEmbed {
		add(outputName, "lm_head.weight", -1, D, V)
	}
	return ts, nil
}

// GGUFName maps a Hugging Face tensor name of family arch ("gpt2" or a
// llama-family GGUF architecture) to its GGUF name. skip is true for
// tensors that are not weights (GPT-2's attention mask buffers, rotary
// inv_freq buffers); an unknown name is an error.
func GGUFName(arch, hf string) (name string, skip bool, err error) {
	if arch == "gpt2" {
		hf = strings.TrimPrefix(hf, "transformer.")
		if rest, ok := strings.CutPrefix(hf, "h."); ok {
			n, sub, ok := strings.Cut(rest, ".")
			if _, err := strconv.Atoi(n); ok && err == nil {
				if sub == "attn.bias" || sub == "attn.masked_bias" {
					return "", true, nil
				}
				if g, ok := gpt2Block[sub]; ok {
					return "blk." + n + "." + g, false, nil
				}
			}
		} else if g, ok := gpt2Top[hf]; ok {
			return g, false, nil
		}
		return "", false, fmt.Errorf("tensor %s has no GGUF name for gpt2", hf)
	}
	if rest, ok := strings.CutPrefix(hf, "model.layers."); ok {
		n, sub, ok := strings.Cut(rest, ".")
		if _, err := strconv.Atoi(n); ok && err == nil {
			if sub == "self_attn.rotary_emb.inv_freq" {
				return "", true, nil
			}
			if g, ok := llamaBlock[sub]; ok {
				return "blk." + n + "." + g, false, nil
			}
		}
	} else if g, ok := llamaTop[hf]; ok {
		return g, false, nil
	}
	return "", false, fmt.Errorf("tensor %s has no GGUF name for %s", hf, arch)
}

// HFName is GGUFName's inverse (GPT-2 names without "transformer.").
func HFName(arch, name string) (string, error) {
	top, block := llamaTop, llamaBlock
	pre := "model.layers."
	if arch == "gpt2" {
		top, block, pre = gpt2Top, gpt2Block, "h."
	}
	if rest, ok := strings.CutPrefix(name, "blk."); ok {
		n, sub, ok := strings.Cut(rest, ".")
		if _, err := strconv.Atoi(n); ok && err == nil {
			for h, g := range block {
				if g == sub {
					return pre + n + "." + h, nil
				}
			}
		}
	}
	for h, g := range top {
		if g == name {
			return h, nil
		}
	}
	return "", fmt.Errorf("GGUF tensor %s has no Hugging Face name for %s", name, arch)
}

var (
	gpt2Top = map[string]string{"wte.weight": tokenEmbdName, "wpe.weight": "position_embd.weight",
		"ln_f.weight": "output_norm.weight", "ln_f.bias": "output_norm.bias", "lm_head.weight": outputName}
	gpt2Block = map[string]string{
		"ln_1.weight": "attn_norm.weight", "ln_1.bias": "attn_norm.bias",
		"attn.c_attn.weight": "attn_qkv.weight", "attn.c_attn.bias": "attn_qkv.bias",
		"attn.c_proj.weight": "attn_output.weight", "attn.c_proj.bias": "attn_output.bias",
		"ln_2.weight": "ffn_norm.weight", "ln_2.bias": "ffn_norm.bias",
		"mlp.c_fc.weight": "ffn_up.weight", "mlp.c_fc.bias": "ffn_up.bias",
		"mlp.c_proj.weight": "ffn_down.weight", "mlp.c_proj.bias": "ffn_down.bias",
	}
	llamaTop = map[string]string{"model.embed_tokens.weight": tokenEmbdName, "model.norm.weight": "output_norm.weight",
		"lm_head.weight": outputName}
	llamaBlock = map[string]string{
		"input_layernorm.weight":  "attn_norm.weight",
		"self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
		"self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
		"self_attn.q_proj.bias": "attn_q.bias", "self_attn.k_proj.bias": "attn_k.bias",
		"self_attn.v_proj.bias": "attn_v.bias", "self_attn.o_proj.bias": "attn_output.bias",
		"self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
		"post_attention_layernorm.weight": "ffn_norm.weight",
		"mlp.gate_proj.weight":            "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight",
	}
)

// PermuteRows reorders rows in place as llama.cpp's converter permutes a
// llama q or k projection (LlamaModel.permute): data holds rows rows of
// rowBytes bytes, nHead heads of hd = rows/nHead rows each, and within a
// head row i*hd/2+j moves to 2j+i. Rows are independent, so this works on
// quantized rows as well. The arguments must describe data exactly (rows
// a multiple of 2*nHead, len(data) = rows*rowBytes); it panics otherwise,
// as that is a caller's error, not a file's.
func PermuteRows(data []byte, rowBytes, nHead, rows int) {
	permuteRows(data, rowBytes, nHead, rows, false)
}

// UnpermuteRows undoes PermuteRows: GGUF row 2j+i of each head goes back
// to i*hd/2+j, the rotate-half layout the engine's RoPE expects. The lead
// loader applies it to a llama-architecture file's attn_q / attn_k weights
// (and biases, with rowBytes the element size), with nHead the head count
// and the key/value head count respectively.
func UnpermuteRows(data []byte, rowBytes, nHead, rows int) {
	permuteRows(data, rowBytes, nHead, rows, true)
}

func permuteRows(data []byte, rowBytes, nHead, rows int, inverse bool) {
	if nHead <= 0 || rowBytes <= 0 || rows%(2*nHead) != 0 || len(data) != rows*rowBytes {
		panic(fmt.Sprintf("native: permuteRows(%d bytes, rowBytes %d, %d heads, %d rows)", len(data), rowBytes, nHead, rows))
	}
	hd := rows / nHead
	half := hd / 2
	tmp := make([]byte, hd*rowBytes)
	for h := 0; h < nHead; h++ {
		head := data[h*hd*rowBytes : (h+1)*hd*rowBytes]
		copy(tmp, head)
		for i := 0; i < 2; i++ {
			for j := 0; j < half; j++ {
				hfRow, gRow := i*half+j, 2*j+i
				dst, src := gRow, hfRow
				if inverse {
					dst, src = hfRow, gRow
				}
				copy(head[dst*rowBytes:(dst+1)*rowBytes], tmp[src*rowBytes:(src+1)*rowBytes])
			}
		}
	}
}

// transposeF32 returns the rows x cols matrix v (row-major) transposed.
func transposeF32(v []float32, rows, cols int) []float32 {
	out := make([]float32, len(v))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = v[r*cols+c]
		}
	}
	return out
}
