package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "m.safetensors")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTripDTypes(t *testing.T) {
	// Values chosen to be exact in every dtype, so the round trip must be
	// exact; plus one that each narrow type must round.
	vals := []float32{0, 1, -2, 0.5, 1024, -0.125, 3.140625}
	for _, dt := range []DType{F32, F16, BF16} {
		var buf bytes.Buffer
		err := Write(&buf, []Tensor{
			{Name: "a", DType: dt, Shape: []int{7}, Data: vals},
			{Name: "b", DType: dt, Shape: []int{2, 1}, Data: []float32{1.0 / 3, -7}},
		}, map[string]string{"format": "pt"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := Open(writeTemp(t, buf.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", dt, err)
		}
		got, ti, err := f.Float32("a")
		if err != nil {
			t.Fatal(err)
		}
		if ti.DType != dt || len(ti.Shape) != 1 || ti.Shape[0] != 7 {
			t.Fatalf("%s: info %+v", dt, ti)
		}
		for i := range vals {
			if got[i] != vals[i] {
				t.Fatalf("%s: a[%d] = %v want %v", dt, i, got[i], vals[i])
			}
		}
		b, _, err := f.Float32("b")
		if err != nil {
			t.Fatal(err)
		}
		third := map[DType]float32{F32: 1.0 / 3, F16: 0.33325195, BF16: 0.33398438}[dt]
		if b[0] != third || b[1] != -7 {
			t.Fatalf("%s: b = %v, want [%v -7]", dt, b, third)
		}
		if f.Metadata["format"] != "pt" {
			t.Fatalf("metadata %v", f.Metadata)
		}
		if f.DataOffset%8 != 0 {
			t.Fatalf("data offset %d not aligned", f.DataOffset)
		}
		f.Close()
	}
}

func TestF16Conversion(t *testing.T) {
	cases := map[uint16]float32{
		0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: float32(math.Ldexp(1, -24)),
		0x0400: float32(math.Ldexp(1, -14)), 0x8000: float32(math.Copysign(0, -1)),
	}
	for h, want := range cases {
		if got := F16ToF32(h); got != want || math.Signbit(float64(got)) != math.Signbit(float64(want)) {
			t.Errorf("F16ToF32(%#x) = %v want %v", h, got, want)
		}
		if back := F32ToF16(want); back != h {
			t.Errorf("F32ToF16(%v) = %#x want %#x", want, back, h)
		}
	}
	if !math.IsInf(float64(F16ToF32(0x7c00)), 1) || !math.IsNaN(float64(F16ToF32(0x7e00))) {
		t.Error("inf/nan")
	}
	// Every finite half must survive a round trip through float32.
	for h := 0; h < 1<<16; h++ {
		if h&0x7c00 == 0x7c00 {
			continue
		}
		if back := F32ToF16(F16ToF32(uint16(h))); back != uint16(h) {
			t.Fatalf("round trip %#x -> %#x", h, back)
		}
	}
}

func header(js string) []byte {
	b := make([]byte, 8, 8+len(js))
	binary.LittleEndian.PutUint64(b, uint64(len(js)))
	return append(b, js...)
}

func TestBadFiles(t *testing.T) {
	good := header(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`)
	good = append(good, make([]byte, 8)...)
	if _, err := ParseHeader(good, int64(len(good))); err != nil {
		t.Fatalf("good header rejected: %v", err)
	}
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, math.MaxUint64)
	cases := map[string][]byte{
		"empty":           {},
		"short length":    {1, 2, 3},
		"huge length":     huge,
		"length > file":   header(`{}`)[:9],
		"not json":        append(header(`{"x":`), 0),
		"not object":      header(`[1,2]`),
		"bad dtype":       append(header(`{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`), make([]byte, 8)...),
		"offsets count":   append(header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`), make([]byte, 4)...),
		"offset past end": append(header(`{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`), make([]byte, 8)...),
		"reversed":        append(header(`{"x":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`), make([]byte, 8)...),
		"negative dim":    append(header(`{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`), make([]byte, 8)...),
		"shape mismatch":  append(header(`{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`), make([]byte, 8)...),
		"oversize shape":  append(header(`{"x":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}`), make([]byte, 8)...),
		"bad metadata":    header(`{"__metadata__":{"a":1}}`),
	}
	for name, b := range cases {
		_, err := ParseHeader(b, int64(len(b)))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v does not wrap ErrFormat", name, err)
		}
		// The same bytes on disk must fail the same way through Open.
		if _, err := Open(writeTemp(t, b)); err == nil {
			t.Errorf("%s: Open accepted", name)
		}
	}
}

func TestTruncatedFile(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []Tensor{{Name: "w", DType: F32, Shape: []int{4, 4}, Data: make([]float32, 16)}}, nil); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	for cut := 0; cut < len(full); cut += 5 {
		_, err := Open(writeTemp(t, full[:cut]))
		if err == nil {
			t.Fatalf("truncated at %d of %d accepted", cut, len(full))
		}
		if !strings.Contains(err.Error(), "safetensors") {
			t.Fatalf("unclear error: %v", err)
		}
	}
}

func TestMissingTensorAndShapeMismatch(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []Tensor{{Name: "w", DType: F32, Shape: []int{3}, Data: make([]float32, 2)}}, nil); err == nil {
		t.Fatal("writer accepted wrong data length")
	}
	if err := Write(&buf, []Tensor{{Name: "w", DType: F32, Shape: []int{2}, Data: []float32{1, 2}}}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Open(writeTemp(t, buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := f.Float32("nope"); err == nil {
		t.Fatal("missing tensor read")
	}
}
