package safetensors

import (
	"fmt"
	"io"
	"os"
)

// File is an open safetensors file. Tensors are read on demand so a model
// loader can convert one tensor at a time instead of holding the raw file
// and the converted copy together.
type File struct {
	f    *os.File
	size int64
	*Header
}

// Open reads and validates the header of path.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	h, err := readHeader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{f: f, size: st.Size(), Header: h}, nil
}

func readHeader(r io.ReaderAt, size int64) (*Header, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, formatErr("file of %d bytes is too short", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, err
	}
	// ParseHeader re-checks the length; read only what the file can hold.
	n := int64(lenBuf[0]) | int64(lenBuf[1])<<8 | int64(lenBuf[2])<<16 | int64(lenBuf[3])<<24 |
		int64(lenBuf[4])<<32 | int64(lenBuf[5])<<40 | int64(lenBuf[6])<<48 | int64(lenBuf[7])<<56
	if n < 0 || n > MaxHeaderBytes || n > size-8 {
		return ParseHeader(lenBuf[:], size)
	}
	buf := make([]byte, 8+n)
	if _, err := r.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	return ParseHeader(buf, size)
}

// Close releases the file.
func (f *File) Close() error { return f.f.Close() }

// Float32 reads tensor name converted to float32.
func (f *File) Float32(name string) ([]float32, TensorInfo, error) {
	ti, ok := f.Tensors[name]
	if !ok {
		return nil, TensorInfo{}, fmt.Errorf("safetensors: no tensor %q", name)
	}
	raw := make([]byte, ti.End-ti.Begin)
	if _, err := f.f.ReadAt(raw, f.DataOffset+ti.Begin); err != nil {
		return nil, ti, fmt.Errorf("safetensors: read %q: %w", name, err)
	}
	out := make([]float32, ti.NumElements())
	if err := Decode(out, raw, ti.DType); err != nil {
		return nil, ti, err
	}
	return out, ti, nil
}

// ReadRaw reads len(buf) bytes of tensor name's data starting off bytes
// into it, without conversion; loaders decode straight into their own
// layout from it. Reads may run concurrently (pread).
func (f *File) ReadRaw(name string, off int64, buf []byte) error {
	ti, ok := f.Tensors[name]
	if !ok {
		return fmt.Errorf("safetensors: no tensor %q", name)
	}
	if off < 0 || off+int64(len(buf)) > ti.End-ti.Begin {
		return fmt.Errorf("safetensors: read %q: bytes [%d,%d) outside the tensor's %d", name, off, off+int64(len(buf)), ti.End-ti.Begin)
	}
	if _, err := f.f.ReadAt(buf, f.DataOffset+ti.Begin+off); err != nil {
		return fmt.Errorf("safetensors: read %q: %w", name, err)
	}
	return nil
}
