// Package gguf reads and writes GGUF files, the container llama.cpp and
// Ollama use for models, as ggml's docs/gguf.md defines it (version 3;
// version 2, which differs only in allowing no big-endian files, reads the
// same way):
//
//	uint32 magic "GGUF", uint32 version, uint64 tensor count, uint64 kv count
//	kv count x { string key, uint32 value type, value }
//	tensor count x { string name, uint32 n_dims, uint64 ne[n_dims], uint32 ggml type, uint64 offset }
//	padding to general.alignment (default 32)
//	data section: each tensor at its offset (a multiple of the alignment)
//
// where a string is a uint64 length and that many bytes (no terminator), and
// an array value is a uint32 element type, a uint64 count and the elements.
// Everything is little-endian. ne[0] is the fastest-varying dimension: a
// weight matrix of N rows of K weights has ne = [K, N].
//
// Every size in a file is untrusted: counts and lengths are checked against
// what is left of the file before anything is allocated, and tensors are
// checked for known types, whole blocks per row, alignment, overlap and
// bounds, so a corrupt or hostile file gives an error naming the problem,
// never a panic or a huge allocation.
package gguf

import (
	"errors"
	"fmt"
	"sort"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// Magic is the first four bytes of every GGUF file.
const Magic = "GGUF"

// Version is the version this package writes.
const Version = 3

// DefaultAlignment is the data alignment when general.alignment is absent.
const DefaultAlignment = 32

// KeyAlignment is the metadata key that sets the data alignment.
const KeyAlignment = "general.alignment"

// ErrFormat is wrapped by every error about a malformed file.
var ErrFormat = errors.New("gguf: malformed file")

// ValueType is a metadata value's type as GGUF numbers it.
type ValueType uint32

// The metadata value types.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"}

func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// size is the encoded size of a scalar of type t (0 for string and array).
func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// ggmlTypeNames names ggml's tensor types, so an unsupported one is named
// in the error (ggml.h's enum ggml_type; gaps are removed types).
var ggmlTypeNames = map[uint32]string{
	0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1",
	10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K",
	16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS",
	24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16",
	34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4",
}

// GGMLTypeName names a ggml tensor type id ("type(N)" when unknown to ggml).
func GGMLTypeName(t uint32) string {
	if n, ok := ggmlTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("type(%d)", t)
}

// Limits that keep a hostile file from making the reader allocate or loop
// absurdly before it finds out the file is bad.
const (
	MaxDims       = 4
	MaxNameLen    = 256     // tensor names (ggml's own limit is 63)
	MaxKeyLen     = 1 << 16 // metadata keys
	MaxStringLen  = 1 << 30 // one metadata string
	MaxTensors    = 1 << 20
	MaxKVs        = 1 << 20
	MaxArrayLen   = 1 << 28
	MaxElements   = 1 << 40 // elements of one tensor
	MaxAlignment  = 1 << 16
	minTensorInfo = 8 + 4 + 8 + 4 + 8 // empty name, one dim, type, offset
	minKV         = 8 + 4 + 1         // empty key, type, smallest value
)

// KV is one metadata entry. Value is a Go value of the entry's type:
// uint8, int8, uint16, int16, uint32, int32, float32, bool, string, uint64,
// int64 or float64, or an Array.
type KV struct {
	Key   string
	Value any
}

// Array is an array metadata value. Values is a slice of the element type:
// []uint8, []int8, []uint16, []int16, []uint32, []int32, []float32, []bool,
// []string, []uint64, []int64 or []float64. Arrays of arrays are refused.
type Array struct {
	Elem   ValueType
	Values any
}

// Len is the number of elements.
func (a Array) Len() int {
	switch v := a.Values.(type) {
	case []uint8:
		return len(v)
	case []int8:
		return len(v)
	case []uint16:
		return len(v)
	case []int16:
		return len(v)
	case []uint32:
		return len(v)
	case []int32:
		return len(v)
	case []float32:
		return len(v)
	case []bool:
		return len(v)
	case []string:
		return len(v)
	case []uint64:
		return len(v)
	case []int64:
		return len(v)
	case []float64:
		return len(v)
	}
	return 0
}

// TypeOf is the GGUF type of a metadata value (as KV.Value holds it), and
// false for a Go type GGUF cannot store.
func TypeOf(v any) (ValueType, bool) {
	switch v.(type) {
	case uint8:
		return TypeUint8, true
	case int8:
		return TypeInt8, true
	case uint16:
		return TypeUint16, true
	case int16:
		return TypeInt16, true
	case uint32:
		return TypeUint32, true
	case int32:
		return TypeInt32, true
	case float32:
		return TypeFloat32, true
	case bool:
		return TypeBool, true
	case string:
		return TypeString, true
	case uint64:
		return TypeUint64, true
	case int64:
		return TypeInt64, true
	case float64:
		return TypeFloat64, true
	case Array:
		return TypeArray, true
	}
	return 0, false
}

// TensorInfo describes one tensor. Dims is ne: Dims[0] is the row length
// (fastest-varying), so a matrix of N rows of K weights has Dims [K, N].
type TensorInfo struct {
	Name   string
	Type   quant.Type
	Dims   []int
	Offset int64 // from the start of the data section
	Size   int64 // bytes
}

// Elements is the product of Dims.
func (t TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= int64(d)
	}
	return n
}

// Rows is the number of rows (every dimension after the first).
func (t TensorInfo) Rows() int64 { return t.Elements() / int64(t.Dims[0]) }

// RowBytes is the size of one row.
func (t TensorInfo) RowBytes() int {
	n, _ := t.Type.RowBytes(t.Dims[0])
	return n
}

// tensorSize checks a tensor's shape and type and returns its byte size.
func tensorSize(name string, typ uint32, dims []uint64) (int64, error) {
	if len(dims) == 0 || len(dims) > MaxDims {
		return 0, formatErr("tensor %s has %d dimensions (want 1 to %d)", name, len(dims), MaxDims)
	}
	n := uint64(1)
	for i, d := range dims {
		if d == 0 || d > MaxElements {
			return 0, formatErr("tensor %s: dimension %d is %d (want 1 to %d)", name, i, d, uint64(MaxElements))
		}
		if n > MaxElements/d {
			return 0, formatErr("tensor %s: %v elements overflow the limit %d", name, dims, uint64(MaxElements))
		}
		n *= d
	}
	t := quant.Type(typ)
	if !t.Known() {
		return 0, formatErr("tensor %s has ggml type %d (%s), which the engine does not support (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)", name, typ, GGMLTypeName(typ))
	}
	rb, err := t.RowBytes(int(dims[0]))
	if err != nil {
		return 0, formatErr("tensor %s: %s rows hold whole blocks of %d elements, row length %d is not", name, t, t.BlockSize(), dims[0])
	}
	return int64(rb) * int64(n/dims[0]), nil
}

func formatErr(f string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(f, a...))
}

// checkLayout checks offsets: aligned, inside dataSize, not overlapping.
func checkLayout(ts []TensorInfo, align int64, dataSize int64) error {
	idx := make([]int, len(ts))
	for i := range idx {
		idx[i] = i
	}
	for _, t := range ts {
		if t.Offset%align != 0 {
			return formatErr("tensor %s: offset %d is not a multiple of the alignment %d", t.Name, t.Offset, align)
		}
		if t.Offset > dataSize || t.Size > dataSize-t.Offset {
			return formatErr("tensor %s: bytes [%d, %d) of the data section run past its end (%d bytes; file truncated?)", t.Name, t.Offset, uint64(t.Offset)+uint64(t.Size), dataSize)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ts[idx[a]].Offset < ts[idx[b]].Offset })
	for i := 1; i < len(idx); i++ {
		p, q := ts[idx[i-1]], ts[idx[i]]
		if p.Offset+p.Size > q.Offset {
			return formatErr("tensors %s [%d, %d) and %s [%d, %d) overlap", p.Name, p.Offset, p.Offset+p.Size, q.Name, q.Offset, q.Offset+q.Size)
		}
	}
	return nil
}

// alignUp rounds n up to a multiple of a.
func alignUp(n, a int64) int64 { return (n + a - 1) / a * a }

func validAlignment(a uint64) bool {
	return a > 0 && a <= MaxAlignment && a&(a-1) == 0
}
