package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// File is an open GGUF file: its metadata and tensor infos, parsed and
// checked by Open; tensor data is read on demand.
type File struct {
	Path       string
	Version    uint32
	KVs        []KV         // metadata in file order
	Tensors    []TensorInfo // in file order
	Alignment  int64
	DataOffset int64 // where the data section starts in the file

	r      io.ReaderAt
	closer io.Closer
	kv     map[string]int
	tensor map[string]int
}

// Open reads and checks a file's header, metadata and tensor infos. The
// file stays open for TensorBytes until Close.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	f, err := Parse(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Path, f.closer = path, fh
	return f, nil
}

// Close closes the underlying file (a no-op for Parse's files).
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	c := f.closer
	f.closer = nil
	return c.Close()
}

// name is how errors refer to the file.
func (f *File) name() string {
	if f.Path == "" {
		return "gguf"
	}
	return f.Path
}

// Parse reads and checks the header, metadata and tensor infos of a GGUF
// file of size bytes read through r.
func Parse(r io.ReaderAt, size int64) (*File, error) {
	p := &parser{br: bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 1<<16), size: size}
	f := &File{r: r, kv: map[string]int{}, tensor: map[string]int{}}
	var magic [4]byte
	if err := p.read(magic[:], "the magic"); err != nil {
		return nil, err
	}
	if string(magic[:]) != Magic {
		return nil, formatErr("bad magic %q (want %q): not a GGUF file", magic[:], Magic)
	}
	f.Version = p.u32("the version")
	if p.err != nil {
		return nil, p.err
	}
	if f.Version != 2 && f.Version != 3 {
		if f.Version == 1 {
			return nil, formatErr("version 1 is not supported (want 2 or 3; reconvert the file)")
		}
		if binary.BigEndian.Uint32(binary.LittleEndian.AppendUint32(nil, f.Version)) == 3 {
			return nil, formatErr("big-endian GGUF files are not supported")
		}
		return nil, formatErr("unsupported version %d (want 2 or 3)", f.Version)
	}
	nTensors := p.u64("the tensor count")
	nKV := p.u64("the metadata count")
	if p.err != nil {
		return nil, p.err
	}
	if nKV > MaxKVs || nKV > uint64(p.left())/minKV {
		return nil, formatErr("metadata count %d is absurd for a %d-byte file (or the file is truncated)", nKV, size)
	}
	if nTensors > MaxTensors || nTensors > uint64(p.left())/minTensorInfo {
		return nil, formatErr("tensor count %d is absurd for a %d-byte file (or the file is truncated)", nTensors, size)
	}
	f.KVs = make([]KV, 0, nKV)
	for i := uint64(0); i < nKV; i++ {
		key := p.str(fmt.Sprintf("metadata key %d", i), MaxKeyLen)
		if p.err != nil {
			return nil, p.err
		}
		if key == "" {
			return nil, formatErr("metadata key %d is empty", i)
		}
		if _, dup := f.kv[key]; dup {
			return nil, formatErr("metadata key %s appears twice", key)
		}
		v := p.value(key)
		if p.err != nil {
			return nil, p.err
		}
		f.kv[key] = len(f.KVs)
		f.KVs = append(f.KVs, KV{Key: key, Value: v})
	}
	f.Alignment = DefaultAlignment
	if i, ok := f.kv[KeyAlignment]; ok {
		a, err := asUint(f.KVs[i].Value)
		if err != nil || !validAlignment(a) {
			return nil, formatErr("%s = %v is not a power of two up to %d", KeyAlignment, f.KVs[i].Value, MaxAlignment)
		}
		f.Alignment = int64(a)
	}
	f.Tensors = make([]TensorInfo, 0, nTensors)
	for i := uint64(0); i < nTensors; i++ {
		name := p.str(fmt.Sprintf("tensor %d's name", i), MaxNameLen)
		nd := p.u32("tensor " + name + "'s dimension count")
		if p.err != nil {
			return nil, p.err
		}
		if nd == 0 || nd > MaxDims {
			return nil, formatErr("tensor %s has %d dimensions (want 1 to %d)", name, nd, MaxDims)
		}
		dims := make([]uint64, nd)
		for d := range dims {
			dims[d] = p.u64("tensor " + name + "'s dimensions")
		}
		typ := p.u32("tensor " + name + "'s type")
		off := p.u64("tensor " + name + "'s offset")
		if p.err != nil {
			return nil, p.err
		}
		if name == "" {
			return nil, formatErr("tensor %d has an empty name", i)
		}
		if _, dup := f.tensor[name]; dup {
			return nil, formatErr("tensor %s appears twice", name)
		}
		sz, err := tensorSize(name, typ, dims)
		if err != nil {
			return nil, err
		}
		if off > uint64(size) {
			return nil, formatErr("tensor %s: offset %d is past the end of the %d-byte file", name, off, size)
		}
		ti := TensorInfo{Name: name, Type: quant.Type(typ), Dims: make([]int, nd), Offset: int64(off), Size: sz}
		for d := range dims {
			ti.Dims[d] = int(dims[d])
		}
		f.tensor[name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, ti)
	}
	f.DataOffset = alignUp(p.pos, f.Alignment)
	if len(f.Tensors) > 0 && f.DataOffset > size {
		return nil, formatErr("file ends at %d, before its data section at %d (truncated)", size, f.DataOffset)
	}
	if err := checkLayout(f.Tensors, f.Alignment, max(size-f.DataOffset, 0)); err != nil {
		return nil, err
	}
	return f, nil
}

// TensorBytes reads a tensor's data into a fresh slice of exactly its size.
func (f *File) TensorBytes(name string) ([]byte, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("%s: no tensor %s", f.name(), name)
	}
	if f.r == nil {
		return nil, fmt.Errorf("%s: file is closed", f.name())
	}
	b := make([]byte, t.Size)
	if _, err := f.r.ReadAt(b, f.DataOffset+t.Offset); err != nil {
		if errors.Is(err, io.EOF) {
			err = formatErr("tensor %s: data truncated", name)
		}
		return nil, fmt.Errorf("%s: tensor %s: %w", f.name(), name, err)
	}
	return b, nil
}

// ReadTensorAt reads len(buf) bytes of a tensor's data starting off bytes
// into it; loaders call it from several goroutines (ReadAt is safe for
// concurrent use).
func (f *File) ReadTensorAt(name string, off int64, buf []byte) error {
	t, ok := f.Tensor(name)
	if !ok {
		return fmt.Errorf("%s: no tensor %s", f.name(), name)
	}
	if off < 0 || off > t.Size || int64(len(buf)) > t.Size-off {
		return fmt.Errorf("%s: tensor %s: read of %d bytes at %d outside its %d bytes", f.name(), name, len(buf), off, t.Size)
	}
	if f.r == nil {
		return fmt.Errorf("%s: file is closed", f.name())
	}
	if _, err := f.r.ReadAt(buf, f.DataOffset+t.Offset+off); err != nil {
		if errors.Is(err, io.EOF) {
			err = formatErr("tensor %s: data truncated", name)
		}
		return fmt.Errorf("%s: tensor %s: %w", f.name(), name, err)
	}
	return nil
}

// Tensor returns a tensor's info.
func (f *File) Tensor(name string) (TensorInfo, bool) {
	i, ok := f.tensor[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.Tensors[i], true
}

// HasTensor reports whether the file holds a tensor.
func (f *File) HasTensor(name string) bool { _, ok := f.tensor[name]; return ok }

// parser reads the header sequentially; the first error sticks.
type parser struct {
	br   *bufio.Reader
	pos  int64
	size int64
	err  error
	buf  [8]byte
}

func (p *parser) left() int64 { return p.size - p.pos }

func (p *parser) read(b []byte, what string) error {
	if p.err != nil {
		return p.err
	}
	if int64(len(b)) > p.left() {
		p.err = formatErr("file truncated in %s (offset %d, file is %d bytes)", what, p.pos, p.size)
		return p.err
	}
	if _, err := io.ReadFull(p.br, b); err != nil {
		p.err = fmt.Errorf("reading %s at offset %d: %w", what, p.pos, err)
		return p.err
	}
	p.pos += int64(len(b))
	return nil
}

func (p *parser) u32(what string) uint32 {
	if p.read(p.buf[:4], what) != nil {
		return 0
	}
	return binary.LittleEndian.Uint32(p.buf[:4])
}

func (p *parser) u64(what string) uint64 {
	if p.read(p.buf[:8], what) != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p.buf[:8])
}

func (p *parser) str(what string, limit uint64) string {
	n := p.u64(what)
	if p.err != nil {
		return ""
	}
	if n > limit || n > uint64(p.left()) {
		p.err = formatErr("%s: string length %d is beyond the file or the limit %d", what, n, limit)
		return ""
	}
	b := make([]byte, n)
	if p.read(b, what) != nil {
		return ""
	}
	return string(b)
}

func (p *parser) value(key string) any {
	t := ValueType(p.u32(key + "'s type"))
	if p.err != nil {
		return nil
	}
	if t == TypeArray {
		et := ValueType(p.u32(key + "'s element type"))
		n := p.u64(key + "'s length")
		if p.err != nil {
			return nil
		}
		if et == TypeArray {
			p.err = formatErr("metadata %s: arrays of arrays are not supported", key)
			return nil
		}
		min := et.size()
		if et == TypeString {
			min = 8
		}
		if min == 0 {
			p.err = formatErr("metadata %s: unknown array element type %d", key, uint32(et))
			return nil
		}
		if n > MaxArrayLen || n > uint64(p.left())/uint64(min) {
			p.err = formatErr("metadata %s: array length %d is beyond the file or the limit %d", key, n, MaxArrayLen)
			return nil
		}
		return p.array(key, et, int(n))
	}
	if t == TypeString {
		return p.str("metadata "+key, MaxStringLen)
	}
	sz := t.size()
	if sz == 0 {
		p.err = formatErr("metadata %s: unknown value type %d", key, uint32(t))
		return nil
	}
	if p.read(p.buf[:sz], "metadata "+key) != nil {
		return nil
	}
	v, err := scalar(t, p.buf[:sz])
	if err != nil {
		p.err = formatErr("metadata %s: %v", key, err)
	}
	return v
}

func scalar(t ValueType, b []byte) (any, error) {
	le := binary.LittleEndian
	switch t {
	case TypeUint8:
		return b[0], nil
	case TypeInt8:
		return int8(b[0]), nil
	case TypeBool:
		if b[0] > 1 {
			return nil, fmt.Errorf("bool byte %d (want 0 or 1)", b[0])
		}
		return b[0] == 1, nil
	case TypeUint16:
		return le.Uint16(b), nil
	case TypeInt16:
		return int16(le.Uint16(b)), nil
	case TypeUint32:
		return le.Uint32(b), nil
	case TypeInt32:
		return int32(le.Uint32(b)), nil
	case TypeFloat32:
		return math.Float32frombits(le.Uint32(b)), nil
	case TypeUint64:
		return le.Uint64(b), nil
	case TypeInt64:
		return int64(le.Uint64(b)), nil
	case TypeFloat64:
		return math.Float64frombits(le.Uint64(b)), nil
	}
	return nil, fmt.Errorf("unknown type %d", uint32(t))
}

func (p *parser) array(key string, et ValueType, n int) any {
	what := "metadata " + key
	if et == TypeString {
		out := make([]string, n)
		for i := range out {
			out[i] = p.str(what, MaxStringLen)
			if p.err != nil {
				return nil
			}
		}
		return Array{Elem: et, Values: out}
	}
	raw := make([]byte, n*et.size())
	if p.read(raw, what) != nil {
		return nil
	}
	le := binary.LittleEndian
	var vals any
	switch et {
	case TypeUint8:
		vals = raw
	case TypeInt8:
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(raw[i])
		}
		vals = v
	case TypeBool:
		v := make([]bool, n)
		for i := range v {
			if raw[i] > 1 {
				p.err = formatErr("metadata %s[%d]: bool byte %d (want 0 or 1)", key, i, raw[i])
				return nil
			}
			v[i] = raw[i] == 1
		}
		vals = v
	case TypeUint16:
		v := make([]uint16, n)
		for i := range v {
			v[i] = le.Uint16(raw[2*i:])
		}
		vals = v
	case TypeInt16:
		v := make([]int16, n)
		for i := range v {
			v[i] = int16(le.Uint16(raw[2*i:]))
		}
		vals = v
	case TypeUint32:
		v := make([]uint32, n)
		for i := range v {
			v[i] = le.Uint32(raw[4*i:])
		}
		vals = v
	case TypeInt32:
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(le.Uint32(raw[4*i:]))
		}
		vals = v
	case TypeFloat32:
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
		vals = v
	case TypeUint64:
		v := make([]uint64, n)
		for i := range v {
			v[i] = le.Uint64(raw[8*i:])
		}
		vals = v
	case TypeInt64:
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(le.Uint64(raw[8*i:]))
		}
		vals = v
	case TypeFloat64:
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
		vals = v
	}
	return Array{Elem: et, Values: vals}
}
