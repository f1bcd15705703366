// Package quant defines the weight storage formats the engine reads and
// writes: plain f32/f16/bf16 and the GGUF block-quantized types, with
// their ggml type ids and block geometry as llama.cpp's ggml.h and
// ggml-common.h publish them.
package quant

import (
	"fmt"
	"strings"
)

// Type is a tensor storage format, numbered as ggml numbers it (the value
// GGUF files store in each tensor's type field).
type Type uint32

// The formats the engine supports (ggml's numbering).
const (
	F32  Type = 0
	F16  Type = 1
	Q4_0 Type = 2
	Q8_0 Type = 8
	Q4_K Type = 12
	Q6_K Type = 14
	BF16 Type = 30
)

// QK is the number of weights in one block of the 32-element formats,
// QKK in one super-block of the k-quants.
const (
	QK  = 32
	QKK = 256
)

type geometry struct {
	name  string
	block int // elements per block
	size  int // bytes per block
}

var geometries = map[Type]geometry{
	F32:  {"F32", 1, 4},
	F16:  {"F16", 1, 2},
	BF16: {"BF16", 1, 2},
	Q8_0: {"Q8_0", QK, 2 + QK},                      // f16 d, 32 x int8
	Q4_0: {"Q4_0", QK, 2 + QK/2},                    // f16 d, 32 x 4-bit
	Q4_K: {"Q4_K", QKK, 2 + 2 + 12 + QKK/2},         // f16 d, f16 dmin, 12 B of 6-bit scales/mins, 256 x 4-bit
	Q6_K: {"Q6_K", QKK, QKK/2 + QKK/4 + QKK/16 + 2}, // ql, qh, int8 scales, f16 d
}

// Known reports whether the engine supports t.
func (t Type) Known() bool { _, ok := geometries[t]; return ok }

func (t Type) String() string {
	if g, ok := geometries[t]; ok {
		return g.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// BlockSize is the number of elements in one block of t (1 for f32/f16/bf16).
func (t Type) BlockSize() int { return geometries[t].block }

// BlockBytes is the size in bytes of one block of t.
func (t Type) BlockBytes() int { return geometries[t].size }

// Quantized reports whether t is a block format (not f32/f16/bf16).
func (t Type) Quantized() bool { return t.BlockSize() > 1 }

// RowBytes is the size of a row of n elements of t, or an error when n is
// not a whole number of blocks or t is unknown.
func (t Type) RowBytes(n int) (int, error) {
	g, ok := geometries[t]
	if !ok {
		return 0, fmt.Errorf("quant: unknown type %d", uint32(t))
	}
	if n < 0 || n%g.block != 0 {
		return 0, fmt.Errorf("quant: %s rows hold whole blocks of %d elements, not %d", g.name, g.block, n)
	}
	return n / g.block * g.size, nil
}

// ParseType reads a name as `model quantize --type` takes it (case-insensitive).
func ParseType(s string) (Type, error) {
	for t, g := range geometries {
		if strings.EqualFold(g.name, s) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("quant: unknown type %q (want f32, f16, bf16, q8_0, q4_0, q4_k or q6_k)", s)
}
