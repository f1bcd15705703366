package quant

import (
	"fmt"
	"strconv"
	"strings"
)

// Mixes lists the names `model quantize --type` and MixType accept.
var Mixes = []string{"f32", "f16", "bf16", "q8_0", "q4_0", "q4_k_m"}

// MixType picks the storage type of one tensor of a GGUF file written as
// mix, for a model whose file has its own output.weight (untied
// embeddings); MixTypeTied covers tied ones. name is the GGUF tensor name,
// layer its block index (blk.N; ignored for tensors outside the blocks),
// nLayers the block count, cols the tensor's row length (GGUF ne[0]).
func MixType(mix string, name string, layer, nLayers, cols int) (Type, error) {
	return MixTypeTied(mix, name, layer, nLayers, cols, false)
}

// MixTypeTied is MixType for a file whose token_embd.weight also serves as
// the output projection (tied is true when the file has no output.weight):
// llama.cpp then gives token_embd the output tensor's type.
//
// The rules, as llama.cpp's llama_tensor_get_type applies them (no
// importance matrix, no --pure, no overrides):
//
//   - 1-D tensors (names ending ".bias", norms "..._norm.weight",
//     "rope_freqs.weight") are F32 in every mix, and so are
//     "position_embd.weight" and "token_types.weight" (convert_hf_to_gguf
//     writes them F32 and llama-quantize never quantizes them).
//   - "f32", "f16", "bf16": every other tensor in that type.
//   - "q8_0": every other tensor Q8_0.
//   - "q4_0": output.weight (and token_embd when tied) Q6_K, the rest Q4_0.
//   - "q4_k_m": output.weight (and token_embd when tied) Q6_K; attn_v,
//     attn_qkv (gpt2's fused projection: llama.cpp counts it as attn_v)
//     and attn_kv_b, and ffn_down, Q6_K on the layers use_more_bits(layer,
//     nLayers) selects (the first and last eighth, and every third layer
//     between) and Q4_K elsewhere; everything else Q4_K. (llama.cpp's
//     attn_v / ffn_down counters equal the layer index for the dense
//     models the engine serves; its Falcon, 70B and MoE exceptions do not
//     apply.)
//
// Row lengths that are not a whole number of the chosen type's blocks fall
// back: output.weight (or tied token_embd) goes to Q8_0 when cols%256 != 0,
// as in llama.cpp; any other Q4_K or Q6_K tensor goes to Q8_0 when cols%32
// == 0 (llama.cpp picks Q5_0 for Q4_K, which the engine does not
// implement), and any block type goes to F16 when cols%32 != 0 (llama.cpp
// does the same for k-quants and refuses Q4_0/Q8_0 files outright).
func MixTypeTied(mix string, name string, layer, nLayers, cols int, tied bool) (Type, error) {
	if name == "" {
		return 0, fmt.Errorf("quant: mix %q: empty tensor name", mix)
	}
	if cols <= 0 {
		return 0, fmt.Errorf("quant: mix %q: tensor %s: row length %d", mix, name, cols)
	}
	if isF32Only(name) {
		if !validMix(mix) {
			return 0, unknownMix(mix)
		}
		return F32, nil
	}
	var t Type
	output := name == "output.weight" || (tied && name == "token_embd.weight")
	switch mix {
	case "f32":
		return F32, nil
	case "f16":
		return F16, nil
	case "bf16":
		return BF16, nil
	case "q8_0":
		t = Q8_0
	case "q4_0":
		t = Q4_0
		if output {
			t = Q6_K
		}
	case "q4_k_m":
		t = Q4_K
		switch {
		case output:
			t = Q6_K
		case isAttnV(name) || strings.Contains(name, "ffn_down"):
			if err := checkLayer(mix, name, layer, nLayers); err != nil {
				return 0, err
			}
			if useMoreBits(layer, nLayers) {
				t = Q6_K
			}
		}
	default:
		return 0, unknownMix(mix)
	}
	if output && t == Q6_K && cols%QKK != 0 {
		return Q8_0, nil
	}
	if cols%t.BlockSize() != 0 {
		if cols%QK == 0 {
			return Q8_0, nil
		}
		return F16, nil
	}
	return t, nil
}

func validMix(mix string) bool {
	for _, m := range Mixes {
		if m == mix {
			return true
		}
	}
	return false
}

func unknownMix(mix string) error {
	return fmt.Errorf("quant: unknown mix %q (want one of %s)", mix, strings.Join(Mixes, ", "))
}

// isF32Only reports tensors that stay F32 in every mix.
func isF32Only(name string) bool {
	return strings.HasSuffix(name, ".bias") ||
		strings.HasSuffix(name, "_norm.weight") ||
		strings.HasSuffix(name, "_norm") ||
		name == "rope_freqs.weight" ||
		name == "position_embd.weight" ||
		name == "token_types.weight"
}

// isAttnV is llama.cpp's category_is_attn_v, on the same substrings.
func isAttnV(name string) bool {
	return strings.Contains(name, "attn_v.weight") ||
		strings.Contains(name, "attn_qkv.weight") ||
		strings.Contains(name, "attn_kv_b.weight")
}

// useMoreBits is llama.cpp's use_more_bits(i_layer, n_layers).
func useMoreBits(i, n int) bool {
	return i < n/8 || i >= 7*n/8 || (i-n/8)%3 == 2
}

// checkLayer validates the layer of a layer-dependent tensor: in range,
// and equal to the N of a "blk.N." name.
func checkLayer(mix, name string, layer, nLayers int) error {
	if nLayers <= 0 || layer < 0 || layer >= nLayers {
		return fmt.Errorf("quant: mix %q: tensor %s: layer %d outside 0..%d", mix, name, layer, nLayers-1)
	}
	if rest, ok := strings.CutPrefix(name, "blk."); ok {
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n != layer {
			return fmt.Errorf("quant: mix %q: tensor %s is in block %d, not layer %d", mix, name, n, layer)
		}
	}
	return nil
}
