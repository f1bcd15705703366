package quant

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Dequantize decodes len(dst) elements of type t from src (GGUF's
// little-endian block layout) into dst. len(dst) must be a whole number of
// blocks and src must hold at least their bytes (further bytes are not
// read).
//
// The block formats follow ggml's dequantize_row_* (ggml-quants.c) with
// the same float32 operations in the same order, each rounded on its own
// (no fused multiply-add: ggml's reference code is built without FMA
// contraction on x86-64), so the values equal ggml's bit for bit:
//
//	Q8_0: y = float(q) * d
//	Q4_0: y = float(q - 8) * d                  (q: low nibbles are elements 0..15, high 16..31)
//	Q4_K: y = (d*sc) * float(q) - (dmin*m)      (sc, m: 6-bit, get_scale_min_k4 packing)
//	Q6_K: y = (d * float(sc)) * float(q - 32)   (q: 4 low bits in ql, 2 high bits in qh)
func Dequantize(t Type, src []byte, dst []float32) error {
	need, err := t.RowBytes(len(dst))
	if err != nil {
		return err
	}
	if len(src) < need {
		return fmt.Errorf("quant: %d %s elements need %d bytes, have %d", len(dst), t, need, len(src))
	}
	src = src[:need]
	switch t {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = F16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case Q8_0:
		for b := 0; b < len(dst)/QK; b++ {
			dequantQ8_0(src[b*34:b*34+34], dst[b*QK:b*QK+QK])
		}
	case Q4_0:
		for b := 0; b < len(dst)/QK; b++ {
			dequantQ4_0(src[b*18:b*18+18], dst[b*QK:b*QK+QK])
		}
	case Q4_K:
		for b := 0; b < len(dst)/QKK; b++ {
			dequantQ4_K(src[b*144:b*144+144], dst[b*QKK:b*QKK+QKK])
		}
	case Q6_K:
		for b := 0; b < len(dst)/QKK; b++ {
			dequantQ6_K(src[b*210:b*210+210], dst[b*QKK:b*QKK+QKK])
		}
	default:
		return fmt.Errorf("quant: cannot dequantize type %s", t)
	}
	return nil
}

func f16At(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

// dequantQ8_0 decodes one block {f16 d; int8 qs[32]}.
func dequantQ8_0(b []byte, y []float32) {
	d := f16At(b)
	qs := b[2:34]
	for j := range y[:QK] {
		y[j] = float32(int8(qs[j])) * d
	}
}

// dequantQ4_0 decodes one block {f16 d; uint8 qs[16]}.
func dequantQ4_0(b []byte, y []float32) {
	d := f16At(b)
	qs := b[2:18]
	for j := 0; j < QK/2; j++ {
		y[j] = float32(int(qs[j]&0x0f)-8) * d
		y[j+QK/2] = float32(int(qs[j]>>4)-8) * d
	}
}

// scaleMinK4 unpacks sub-block j's 6-bit scale and min from the 12-byte
// Q4_K scales field (ggml's get_scale_min_k4): sub-blocks 0..3 keep theirs
// in the low 6 bits of bytes j (scale) and j+4 (min); sub-blocks 4..7 keep
// their low 4 bits in byte j+4 (scale low nibble, min high nibble) and
// their top 2 bits in bits 6..7 of bytes j-4 (scale) and j (min).
func scaleMinK4(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// dequantQ4_K decodes one super-block {f16 d; f16 dmin; uint8 scales[12];
// uint8 qs[128]}: 8 sub-blocks of 32, sub-blocks 2i and 2i+1 sharing the
// 32 bytes qs[32i:32i+32] (low and high nibbles).
func dequantQ4_K(b []byte, y []float32) {
	d := f16At(b[0:])
	dmin := f16At(b[2:])
	scales := b[4:16]
	q := b[16:144]
	for g := 0; g < 4; g++ {
		sc, m := scaleMinK4(2*g, scales)
		d1, m1 := d*float32(sc), dmin*float32(m)
		sc, m = scaleMinK4(2*g+1, scales)
		d2, m2 := d*float32(sc), dmin*float32(m)
		qq := q[32*g : 32*g+32]
		yy := y[64*g : 64*g+64]
		for l := 0; l < 32; l++ {
			yy[l] = float32(d1*float32(qq[l]&0xf)) - m1
		}
		for l := 0; l < 32; l++ {
			yy[32+l] = float32(d2*float32(qq[l]>>4)) - m2
		}
	}
}

// dequantQ6_K decodes one super-block {uint8 ql[128]; uint8 qh[64]; int8
// scales[16]; f16 d}. Each half of 128 elements uses 64 bytes of ql and 32
// of qh: element l (l < 32) of the four 32-element groups takes its low 4
// bits from ql[l] low nibble, ql[l+32] low, ql[l] high, ql[l+32] high, and
// its top 2 bits from qh[l] bits 0-1, 2-3, 4-5, 6-7; the scale is
// scales[l/16 + 2*group].
func dequantQ6_K(b []byte, y []float32) {
	d := f16At(b[208:])
	for h := 0; h < 2; h++ {
		ql := b[64*h : 64*h+64]
		qh := b[128+32*h : 128+32*h+32]
		sc := b[192+8*h : 192+8*h+8]
		yy := y[128*h : 128*h+128]
		for l := 0; l < 32; l++ {
			is := l / 16
			q1 := int8(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
			q2 := int8(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
			q3 := int8(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
			q4 := int8(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
			yy[l] = d * float32(int8(sc[is])) * float32(q1)
			yy[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
			yy[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
			yy[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
		}
	}
}
