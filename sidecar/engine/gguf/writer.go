package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// Writer writes a GGUF v3 file in one pass without holding the tensors:
// declare the metadata (Set) and every tensor (AddTensor), then
// WriteHeader, then WriteTensor for each tensor in the order declared,
// then Finish. Only one tensor's bytes are in memory at a time.
type Writer struct {
	kvs     []KV
	keys    map[string]bool
	tensors []TensorInfo
	names   map[string]bool
	align   int64
	end     int64 // data section size so far (declared tensors)
	out     *bufio.Writer
	written int // tensors written
	pos     int64
	scratch [8]byte
}

// NewWriter returns a Writer with the default alignment.
func NewWriter() *Writer {
	return &Writer{keys: map[string]bool{}, names: map[string]bool{}, align: DefaultAlignment}
}

// Set adds a metadata entry. v is a value as KV.Value holds it (uint8 ...
// float64, bool, string or Array); []string, []float32, []int32 and
// []uint32 are accepted as arrays too. Setting general.alignment (a uint32
// power of two) changes the alignment of tensors added after it, so set it
// first.
func (w *Writer) Set(key string, v any) error {
	if w.out != nil {
		return fmt.Errorf("gguf: Set(%s) after WriteHeader", key)
	}
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("gguf: metadata key %q: empty or too long", key)
	}
	if w.keys[key] {
		return fmt.Errorf("gguf: metadata key %s set twice", key)
	}
	switch x := v.(type) {
	case []string:
		v = Array{Elem: TypeString, Values: x}
	case []float32:
		v = Array{Elem: TypeFloat32, Values: x}
	case []int32:
		v = Array{Elem: TypeInt32, Values: x}
	case []uint32:
		v = Array{Elem: TypeUint32, Values: x}
	case int:
		return fmt.Errorf("gguf: metadata %s: Go int has no GGUF type; convert to uint32, int32, uint64 or int64", key)
	}
	t, ok := TypeOf(v)
	if !ok {
		return fmt.Errorf("gguf: metadata %s: %T has no GGUF type", key, v)
	}
	if t == TypeArray {
		a := v.(Array)
		if a.Elem == TypeArray || (a.Elem.size() == 0 && a.Elem != TypeString) {
			return fmt.Errorf("gguf: metadata %s: array of %s not supported", key, a.Elem)
		}
		if want := arrayGoType(a.Elem); fmt.Sprintf("%T", a.Values) != want {
			return fmt.Errorf("gguf: metadata %s: array of %s holds %T, want %s", key, a.Elem, a.Values, want)
		}
	}
	if key == KeyAlignment {
		a, ok := v.(uint32)
		if !ok || !validAlignment(uint64(a)) {
			return fmt.Errorf("gguf: %s must be a uint32 power of two up to %d, got %T %v", key, MaxAlignment, v, v)
		}
		if len(w.tensors) > 0 {
			return fmt.Errorf("gguf: set %s before adding tensors", key)
		}
		w.align = int64(a)
	}
	w.keys[key] = true
	w.kvs = append(w.kvs, KV{Key: key, Value: v})
	return nil
}

func arrayGoType(t ValueType) string {
	return map[ValueType]string{TypeUint8: "[]uint8", TypeInt8: "[]int8", TypeUint16: "[]uint16", TypeInt16: "[]int16",
		TypeUint32: "[]uint32", TypeInt32: "[]int32", TypeFloat32: "[]float32", TypeBool: "[]bool", TypeString: "[]string",
		TypeUint64: "[]uint64", TypeInt64: "[]int64", TypeFloat64: "[]float64"}[t]
}

// AddTensor declares a tensor: its type and dims (ne order: dims[0] is the
// row length). Its offset follows the previous tensor's, aligned.
func (w *Writer) AddTensor(name string, t quant.Type, dims ...int) error {
	if w.out != nil {
		return fmt.Errorf("gguf: AddTensor(%s) after WriteHeader", name)
	}
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("gguf: tensor name %q: empty or longer than %d", name, MaxNameLen)
	}
	if w.names[name] {
		return fmt.Errorf("gguf: tensor %s added twice", name)
	}
	ud := make([]uint64, len(dims))
	for i, d := range dims {
		if d <= 0 {
			return fmt.Errorf("gguf: tensor %s: dimension %d is %d", name, i, d)
		}
		ud[i] = uint64(d)
	}
	sz, err := tensorSize(name, uint32(t), ud)
	if err != nil {
		return err
	}
	off := alignUp(w.end, w.align)
	w.tensors = append(w.tensors, TensorInfo{Name: name, Type: t, Dims: append([]int(nil), dims...), Offset: off, Size: sz})
	w.names[name] = true
	w.end = off + sz
	return nil
}

// Tensors returns the declared tensors (offsets as they will be written).
func (w *Writer) Tensors() []TensorInfo { return w.tensors }

// Size is the total file size once every tensor is written.
func (w *Writer) Size() int64 {
	n := int64(4 + 4 + 8 + 8)
	for _, kv := range w.kvs {
		n += 8 + int64(len(kv.Key)) + 4 + valueSize(kv.Value)
	}
	for _, t := range w.tensors {
		n += 8 + int64(len(t.Name)) + 4 + 8*int64(len(t.Dims)) + 4 + 8
	}
	if len(w.tensors) == 0 {
		return n
	}
	return alignUp(n, w.align) + w.end
}

func valueSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return 8 + int64(len(x))
	case Array:
		n := int64(4 + 8)
		if s, ok := x.Values.([]string); ok {
			for _, e := range s {
				n += 8 + int64(len(e))
			}
			return n
		}
		return n + int64(x.Len()*x.Elem.size())
	}
	t, _ := TypeOf(v)
	return int64(t.size())
}

// WriteHeader writes the header, metadata, tensor infos and the padding
// before the data section.
func (w *Writer) WriteHeader(out io.Writer) error {
	if w.out != nil {
		return fmt.Errorf("gguf: WriteHeader called twice")
	}
	w.out = bufio.NewWriterSize(out, 1<<20)
	w.bytes([]byte(Magic))
	w.u32(Version)
	w.u64(uint64(len(w.tensors)))
	w.u64(uint64(len(w.kvs)))
	for _, kv := range w.kvs {
		w.str(kv.Key)
		t, _ := TypeOf(kv.Value)
		w.u32(uint32(t))
		w.value(kv.Value)
	}
	for _, t := range w.tensors {
		w.str(t.Name)
		w.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			w.u64(uint64(d))
		}
		w.u32(uint32(t.Type))
		w.u64(uint64(t.Offset))
	}
	if len(w.tensors) > 0 {
		w.pad(alignUp(w.pos, w.align))
	}
	w.pos = 0 // from here: offsets in the data section
	return nil
}

// WriteTensor writes the next declared tensor's bytes (exactly its size).
func (w *Writer) WriteTensor(name string, data []byte) error {
	if w.out == nil {
		return fmt.Errorf("gguf: WriteTensor(%s) before WriteHeader", name)
	}
	if w.written >= len(w.tensors) {
		return fmt.Errorf("gguf: tensor %s: all %d declared tensors are written", name, len(w.tensors))
	}
	t := w.tensors[w.written]
	if t.Name != name {
		return fmt.Errorf("gguf: tensor %s written where %s is next", name, t.Name)
	}
	if int64(len(data)) != t.Size {
		return fmt.Errorf("gguf: tensor %s: %d bytes, want %d (%s %v)", name, len(data), t.Size, t.Type, t.Dims)
	}
	w.pad(t.Offset)
	w.bytes(data)
	w.written++
	return nil
}

// Finish checks every tensor was written and flushes.
func (w *Writer) Finish() error {
	if w.out == nil {
		return fmt.Errorf("gguf: Finish before WriteHeader")
	}
	if w.written != len(w.tensors) {
		return fmt.Errorf("gguf: %d of %d tensors written (next: %s)", w.written, len(w.tensors), w.tensors[w.written].Name)
	}
	return w.out.Flush()
}

func (w *Writer) bytes(b []byte) {
	w.out.Write(b) // bufio keeps the first error for Flush
	w.pos += int64(len(b))
}

func (w *Writer) pad(to int64) {
	var zero [64]byte
	for w.pos < to {
		n := min(to-w.pos, int64(len(zero)))
		w.bytes(zero[:n])
	}
}

func (w *Writer) u32(v uint32) {
	binary.LittleEndian.PutUint32(w.scratch[:4], v)
	w.bytes(w.scratch[:4])
}

func (w *Writer) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.scratch[:8], v)
	w.bytes(w.scratch[:8])
}
func (w *Writer) str(s string) { w.u64(uint64(len(s))); w.out.WriteString(s); w.pos += int64(len(s)) }

func (w *Writer) value(v any) {
	switch x := v.(type) {
	case uint8:
		w.bytes([]byte{x})
	case int8:
		w.bytes([]byte{byte(x)})
	case bool:
		b := byte(0)
		if x {
			b = 1
		}
		w.bytes([]byte{b})
	case uint16:
		w.bytes(binary.LittleEndian.AppendUint16(nil, x))
	case int16:
		w.bytes(binary.LittleEndian.AppendUint16(nil, uint16(x)))
	case uint32:
		w.u32(x)
	case int32:
		w.u32(uint32(x))
	case float32:
		w.u32(math.Float32bits(x))
	case uint64:
		w.u64(x)
	case int64:
		w.u64(uint64(x))
	case float64:
		w.u64(math.Float64bits(x))
	case string:
		w.str(x)
	case Array:
		w.u32(uint32(x.Elem))
		w.u64(uint64(x.Len()))
		switch s := x.Values.(type) {
		case []string:
			for _, e := range s {
				w.str(e)
			}
		case []uint8:
			w.bytes(s)
		case []int8:
			for _, e := range s {
				w.value(e)
			}
		case []bool:
			for _, e := range s {
				w.value(e)
			}
		case []uint16:
			for _, e := range s {
				w.value(e)
			}
		case []int16:
			for _, e := range s {
				w.value(e)
			}
		case []uint32:
			for _, e := range s {
				w.u32(e)
			}
		case []int32:
			for _, e := range s {
				w.u32(uint32(e))
			}
		case []float32:
			for _, e := range s {
				w.u32(math.Float32bits(e))
			}
		case []uint64:
			for _, e := range s {
				w.u64(e)
			}
		case []int64:
			for _, e := range s {
				w.u64(uint64(e))
			}
		case []float64:
			for _, e := range s {
				w.u64(math.Float64bits(e))
			}
		}
	}
}
