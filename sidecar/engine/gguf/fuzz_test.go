package gguf

import (
	"bytes"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// FuzzOpen checks the parser never panics and that everything it accepts
// is consistent: tensors of known types whose bytes lie, aligned and
// without overlap, inside the file, and readable with TensorBytes.
func FuzzOpen(f *testing.F) {
	f.Add(valid().bytes())
	w := NewWriter()
	w.Set("general.architecture", "llama")
	w.Set("tokenizer.ggml.tokens", []string{"a", "b"})
	w.Set("s", []float32{1})
	w.AddTensor("x", quant.Q4_K, 256, 2)
	w.AddTensor("y", quant.F16, 3)
	var buf bytes.Buffer
	w.WriteHeader(&buf)
	w.WriteTensor("x", make([]byte, 288))
	w.WriteTensor("y", make([]byte, 6))
	w.Finish()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := parseBytes(b)
		if err != nil {
			return
		}
		for _, ti := range g.Tensors {
			if !ti.Type.Known() || ti.Offset%g.Alignment != 0 || g.DataOffset+ti.Offset+ti.Size > int64(len(b)) {
				t.Fatalf("accepted %+v (data at %d, file %d bytes)", ti, g.DataOffset, len(b))
			}
			rb, err := ti.Type.RowBytes(ti.Dims[0])
			if err != nil || int64(rb)*ti.Rows() != ti.Size {
				t.Fatalf("tensor %s: size %d for %v %s", ti.Name, ti.Size, ti.Dims, ti.Type)
			}
			d, err := g.TensorBytes(ti.Name)
			if err != nil || int64(len(d)) != ti.Size {
				t.Fatalf("tensor %s: %v", ti.Name, err)
			}
		}
	})
}
