package safetensors

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Tensor is an in-memory tensor to write.
type Tensor struct {
	Name  string
	DType DType // storage type; values are rounded to it
	Shape []int
	Data  []float32
}

// Write writes tensors in name order (so the same tensors always give the
// same bytes, which lets model init print stable sha256s).
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	ts := append([]Tensor(nil), tensors...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	hdr := map[string]any{}
	if len(metadata) > 0 {
		hdr["__metadata__"] = metadata
	}
	var off int64
	for _, t := range ts {
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		if n != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q: shape %v has %d elements, data %d", t.Name, t.Shape, n, len(t.Data))
		}
		if t.DType.Size() == 0 {
			return fmt.Errorf("safetensors: tensor %q: unsupported dtype %q", t.Name, t.DType)
		}
		size := int64(n * t.DType.Size())
		hdr[t.Name] = map[string]any{"dtype": t.DType, "shape": t.Shape, "data_offsets": []int64{off, off + size}}
		off += size
	}
	js, err := json.Marshal(hdr) // encoding/json sorts map keys: stable bytes
	if err != nil {
		return err
	}
	// Pad the header with spaces to a multiple of 8 so the data is aligned,
	// as the reference implementation does.
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	bw := bufio.NewWriter(w)
	var lb [8]byte
	binary.LittleEndian.PutUint64(lb[:], uint64(len(js)))
	bw.Write(lb[:])
	bw.Write(js)
	var buf [4]byte
	for _, t := range ts {
		for _, v := range t.Data {
			switch t.DType {
			case F32:
				binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
				bw.Write(buf[:4])
			case F16:
				binary.LittleEndian.PutUint16(buf[:], F32ToF16(v))
				bw.Write(buf[:2])
			case BF16:
				binary.LittleEndian.PutUint16(buf[:], F32ToBF16(v))
				bw.Write(buf[:2])
			}
		}
	}
	return bw.Flush()
}

// WriteFile writes tensors to path.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, tensors, metadata); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
