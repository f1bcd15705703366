package quant

import (
	"encoding/binary"
	"math"
	"testing"
)

func TestFirstNonFinite(t *testing.T) {
	vals := make([]float32, 4*QKK)
	for i := range vals {
		vals[i] = float32(math.Sin(float64(i))) * 3
	}
	for _, typ := range []Type{Q8_0, Q4_0, Q4_K, Q6_K} {
		data, err := QuantizeRows(typ, vals, 1, len(vals))
		if err != nil {
			t.Fatal(err)
		}
		if b := FirstNonFinite(typ, data); b != -1 {
			t.Fatalf("%s: quantized finite values flagged at block %d", typ, b)
		}
		bb := typ.BlockBytes()
		for _, o := range scaleOffsets[typ] {
			for _, bad := range []uint16{0x7c00, 0xfc00, 0x7e00} { // +Inf, -Inf, NaN
				c := append([]byte(nil), data...)
				binary.LittleEndian.PutUint16(c[2*bb+o:], bad)
				if b := FirstNonFinite(typ, c); b != 2 {
					t.Errorf("%s: scale at offset %d = %#04x in block 2: got block %d", typ, o, bad, b)
				}
			}
		}
	}
	if FirstNonFinite(F16, []byte{0x00, 0x7c}) != -1 {
		t.Error("plain types are checked where they are decoded, not here")
	}
}
