package quant

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"testing"
)

// The files testdata/ggml_*.bin / .f32 were written by ggml's own reference
// code (ggml-org/llama.cpp ggml/src/ggml-quants.c: quantize_row_q8_0_ref,
// quantize_row_q4_0_ref, quantize_row_q4_K_ref, quantize_row_q6_K_ref and
// dequantize_row_*, with ggml's generic fp16 conversions), compiled with
// gcc 12 -O2 for x86-64 (no FMA contraction, as ggml-base is built), from:
//
//   - ggml_input.f32: 8192 float32 values, 32 super-blocks of 256 drawn
//     from 16 shapes (normal at several scales, uniform, all positive, all
//     negative, all zero, a single non-zero, outliers, zero sub-blocks,
//     constants, 1e-6 values that give subnormal f16 scales, sub-blocks of
//     magnitudes 1e-3..1e4, integers and half-integers (rounding ties),
//     heavy tails);
//   - ggml_quant_<T>.bin: ggml's quantization of that input to T;
//   - ggml_rand_<T>.bin: 16 blocks of random bytes (f16 scales kept below
//     2 in magnitude), and ggml_rand_<T>.f32: ggml's dequantization of them.
//
// They are data from an independent implementation, not from this package.

func readF32s(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var blockTypes = []Type{Q8_0, Q4_0, Q4_K, Q6_K}

// TestQuantizeMatchesGGML: our quantizers write ggml's bytes exactly.
func TestQuantizeMatchesGGML(t *testing.T) {
	x := readF32s(t, "testdata/ggml_input.f32")
	for _, ty := range blockTypes {
		want := readBytes(t, "testdata/ggml_quant_"+ty.String()+".bin")
		got := make([]byte, len(want))
		if err := Quantize(ty, x, got); err != nil {
			t.Fatalf("%s: %v", ty, err)
		}
		if !bytes.Equal(got, want) {
			bb := ty.BlockBytes()
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: first difference at byte %d (block %d, offset %d): got %#02x want %#02x",
						ty, i, i/bb, i%bb, got[i], want[i])
					break
				}
			}
		}
		// Row by row in parallel gives the same bytes.
		cols := 1024
		rows, err := QuantizeRows(ty, x, len(x)/cols, cols)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rows, want) {
			t.Errorf("%s: QuantizeRows differs from ggml", ty)
		}
	}
}

// TestDequantizeMatchesGGML: our decoders give ggml's floats bit for bit,
// on random block bytes (every bit pattern of scales and quants).
func TestDequantizeMatchesGGML(t *testing.T) {
	for _, ty := range blockTypes {
		src := readBytes(t, "testdata/ggml_rand_"+ty.String()+".bin")
		want := readF32s(t, "testdata/ggml_rand_"+ty.String()+".f32")
		got := make([]float32, len(want))
		if err := Dequantize(ty, src, got); err != nil {
			t.Fatalf("%s: %v", ty, err)
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Errorf("%s: element %d: got %g (%#08x) want %g (%#08x)", ty, i,
					got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
				break
			}
		}
	}
}
