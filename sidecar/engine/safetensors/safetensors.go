// Package safetensors reads and writes the Hugging Face safetensors format:
// an 8-byte little-endian header length, a JSON header describing each
// tensor (dtype, shape, byte offsets into the data section), then the data.
//
// Every size in the header is untrusted: the parser checks lengths, offsets
// and shapes against the real file size before anything is allocated, so a
// corrupt or hostile file gives an error, never a panic or a huge allocation.
package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// DType is a tensor element type as spelled in the header.
type DType string

// Element types the engine understands.
const (
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
)

// Size returns the element size in bytes, or 0 for an unsupported type.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case F16, BF16:
		return 2
	}
	return 0
}

// MaxHeaderBytes bounds the JSON header so a bogus length cannot make the
// reader allocate gigabytes before it finds out the file is bad.
const MaxHeaderBytes = 64 << 20

// ErrFormat is wrapped by every error about a malformed file.
var ErrFormat = errors.New("safetensors: malformed file")

// TensorInfo describes one tensor; Begin and End are offsets into the data
// section (after the header).
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	Begin int64
	End   int64
}

// NumElements is the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Header is the parsed header of a file.
type Header struct {
	Tensors  map[string]TensorInfo
	Metadata map[string]string
	// DataOffset is where the data section starts in the file.
	DataOffset int64
}

// Names returns tensor names in sorted order (deterministic iteration).
func (h *Header) Names() []string {
	out := make([]string, 0, len(h.Tensors))
	for n := range h.Tensors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func formatErr(f string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(f, a...))
}

type rawTensor struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// ParseHeader parses the start of a file. prefix must hold at least the
// 8-byte length and the JSON header; fileSize is the size of the whole file
// and bounds every offset.
func ParseHeader(prefix []byte, fileSize int64) (*Header, error) {
	if len(prefix) < 8 || fileSize < 8 {
		return nil, formatErr("file too short for the 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(prefix[:8])
	if n > MaxHeaderBytes {
		return nil, formatErr("header length %d exceeds limit %d", n, MaxHeaderBytes)
	}
	if int64(n) > fileSize-8 {
		return nil, formatErr("header length %d exceeds file size %d", n, fileSize)
	}
	if int64(len(prefix)) < 8+int64(n) {
		return nil, formatErr("header truncated: need %d bytes, have %d", 8+n, len(prefix))
	}
	js := prefix[8 : 8+n]
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, formatErr("header is not a JSON object: %v", err)
	}
	h := &Header{Tensors: map[string]TensorInfo{}, DataOffset: 8 + int64(n)}
	dataSize := fileSize - h.DataOffset
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &h.Metadata); err != nil {
				return nil, formatErr("__metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var rt rawTensor
		if err := json.Unmarshal(msg, &rt); err != nil {
			return nil, formatErr("tensor %q: %v", name, err)
		}
		ti, err := checkTensor(name, rt, dataSize)
		if err != nil {
			return nil, err
		}
		h.Tensors[name] = ti
	}
	return h, nil
}

func checkTensor(name string, rt rawTensor, dataSize int64) (TensorInfo, error) {
	dt := DType(rt.DType)
	if dt.Size() == 0 {
		return TensorInfo{}, formatErr("tensor %q: unsupported dtype %q", name, rt.DType)
	}
	if len(rt.DataOffsets) != 2 {
		return TensorInfo{}, formatErr("tensor %q: data_offsets must have two entries", name)
	}
	b, e := rt.DataOffsets[0], rt.DataOffsets[1]
	if b < 0 || e < b || e > dataSize {
		return TensorInfo{}, formatErr("tensor %q: data_offsets [%d,%d] outside data section of %d bytes", name, b, e, dataSize)
	}
	// Multiply with overflow checks: the element count of a hostile shape
	// can overflow int64 long before it is compared with the byte range.
	count := uint64(1)
	shape := make([]int, len(rt.Shape))
	for i, d := range rt.Shape {
		if d < 0 || d > math.MaxInt32 {
			return TensorInfo{}, formatErr("tensor %q: bad dimension %d", name, d)
		}
		hi, lo := bits.Mul64(count, uint64(d))
		if hi != 0 || lo > math.MaxInt64/8 {
			return TensorInfo{}, formatErr("tensor %q: shape %v is too large", name, rt.Shape)
		}
		count = lo
		shape[i] = int(d)
	}
	if want := count * uint64(dt.Size()); want != uint64(e-b) {
		return TensorInfo{}, formatErr("tensor %q: shape %v of %s needs %d bytes, data_offsets give %d", name, rt.Shape, dt, want, e-b)
	}
	return TensorInfo{Name: name, DType: dt, Shape: shape, Begin: b, End: e}, nil
}

// Decode converts raw little-endian tensor bytes of type dt into dst, which
// must have len(raw)/dt.Size() elements.
func Decode(dst []float32, raw []byte, dt DType) error {
	sz := dt.Size()
	if sz == 0 {
		return fmt.Errorf("safetensors: unsupported dtype %q", dt)
	}
	if len(raw) != len(dst)*sz {
		return fmt.Errorf("safetensors: decode %s: %d bytes for %d elements", dt, len(raw), len(dst))
	}
	// The loops walk raw in fixed-size steps so the compiler drops the
	// bounds checks (this is most of a model's load time).
	switch dt {
	case F32:
		for i := range dst {
			b := raw[:4:4]
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b))
			raw = raw[4:]
		}
	case BF16:
		for i := range dst {
			b := raw[:2:2]
			dst[i] = math.Float32frombits(uint32(b[0])<<16 | uint32(b[1])<<24)
			raw = raw[2:]
		}
	case F16:
		for i := range dst {
			b := raw[:2:2]
			dst[i] = F16ToF32(uint16(b[0]) | uint16(b[1])<<8)
			raw = raw[2:]
		}
	}
	return nil
}

// F16ToF32 converts an IEEE half-precision value exactly (every half is
// representable as a single), including subnormals, infinities and NaN.
func F16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0 && man == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		// Subnormal half: normalise the mantissa.
		e := uint32(127 - 15 + 1)
		for man&0x400 == 0 {
			man <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
}

// F32ToF16 converts with round-to-nearest-even; used by the writer and tests.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	man := b & 0x7fffff
	if b&0x7fffffff > 0x7f800000 { // NaN
		return sign | 0x7e00
	}
	if exp >= 0x1f {
		return sign | 0x7c00
	}
	if exp <= 0 {
		if exp < -10 {
			return sign
		}
		man |= 0x800000
		shift := uint32(14 - exp)
		half := uint32(1) << (shift - 1)
		r := man >> shift
		rem := man & (1<<shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(exp)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // may carry into the exponent, which is the correct rounding
	}
	return sign | uint16(r)
}

// F32ToBF16 converts with round-to-nearest-even.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
