package safetensors

import (
	"bytes"
	"testing"
)

// FuzzParseHeader checks the parser never panics and that everything it
// accepts is internally consistent (offsets inside the file, sizes matching
// shapes), which is what the model loader relies on.
func FuzzParseHeader(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, []Tensor{{Name: "a", DType: F16, Shape: []int{2, 3}, Data: make([]float32, 6)}}, map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Add(header(`{"x":{"dtype":"BF16","shape":[],"data_offsets":[0,2]}}`))
	f.Add(header(`{"x":{"dtype":"F32","shape":[1,0],"data_offsets":[0,0]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b, int64(len(b)))
		if err != nil {
			return
		}
		for name, ti := range h.Tensors {
			if h.DataOffset+ti.End > int64(len(b)) || ti.Begin > ti.End {
				t.Fatalf("%q: offsets [%d,%d] outside %d", name, ti.Begin, ti.End, len(b))
			}
			if int64(ti.NumElements()*ti.DType.Size()) != ti.End-ti.Begin {
				t.Fatalf("%q: size mismatch", name)
			}
			dst := make([]float32, ti.NumElements())
			if err := Decode(dst, b[h.DataOffset+ti.Begin:h.DataOffset+ti.End], ti.DType); err != nil {
				t.Fatal(err)
			}
		}
	})
}
