package safetensors

import (
	"bytes"
	"strings"
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

// FuzzParseIndex: the index parser never panics, and what it accepts names
// only plain .safetensors files inside the folder for non-empty tensor
// names.
func FuzzParseIndex(f *testing.F) {
	f.Add([]byte(`{"metadata":{"total_size":132992},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}`))
	f.Add([]byte(`{"weight_map":{"a":"../x.safetensors"}}`))
	f.Add([]byte(`{"metadata":{"total_size":1.5e3},"weight_map":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, err := ParseIndex(b)
		if err != nil {
			return
		}
		if len(ix.WeightMap) == 0 || ix.TotalSize < 0 {
			t.Fatalf("accepted %+v", ix)
		}
		for n, s := range ix.WeightMap {
			if n == "" || !strings.HasSuffix(s, ".safetensors") || strings.ContainsAny(s, `/\`) || strings.HasPrefix(s, ".") {
				t.Fatalf("accepted %q -> %q", n, s)
			}
		}
		if len(ix.Shards()) == 0 || len(ix.Shards()) > len(ix.WeightMap) {
			t.Fatalf("shards %v", ix.Shards())
		}
	})
}
