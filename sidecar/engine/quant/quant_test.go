package quant

import (
	"errors"
	"math"
	"math/rand"
	"runtime"
	"strings"
	"testing"
)

// --- hand-worked blocks -----------------------------------------------------

// Q4_0 block: d = 0.5 (f16 0x3800), qs[i] = i | (15-i)<<4.
// Element i < 16 is (qs[i]&15 - 8)*d = (i-8)*0.5: -4, -3.5, ..., 3.5;
// element 16+i is (qs[i]>>4 - 8)*d = (7-i)*0.5: 3.5, 3, ..., -4.
func TestDequantizeQ4_0ByHand(t *testing.T) {
	b := []byte{0x00, 0x38}
	for i := 0; i < 16; i++ {
		b = append(b, byte(i|(15-i)<<4))
	}
	y := make([]float32, 32)
	if err := Dequantize(Q4_0, b, y); err != nil {
		t.Fatal(err)
	}
	if y[0] != -4 || y[15] != 3.5 || y[16] != 3.5 || y[31] != -4 {
		t.Fatalf("ends: %v", y)
	}
	for i := 0; i < 16; i++ {
		if y[i] != float32(i-8)*0.5 || y[16+i] != float32(7-i)*0.5 {
			t.Fatalf("element %d/%d: %g %g", i, 16+i, y[i], y[16+i])
		}
	}
}

// Q8_0 block: d = 2 (f16 0x4000), qs[j] = int8(8j - 128): element j is
// (8j-128)*2, from -256 (j=0) to 240 (j=31).
func TestDequantizeQ8_0ByHand(t *testing.T) {
	b := []byte{0x00, 0x40}
	for j := 0; j < 32; j++ {
		b = append(b, byte(int8(8*j-128)))
	}
	y := make([]float32, 32)
	if err := Dequantize(Q8_0, b, y); err != nil {
		t.Fatal(err)
	}
	if y[0] != -256 || y[16] != 0 || y[31] != 240 {
		t.Fatalf("got %v", y)
	}
	for j := range y {
		if y[j] != float32(8*j-128)*2 {
			t.Fatalf("element %d: %g", j, y[j])
		}
	}
}

// Q4_K super-block, worked from the layout: d = 1 (0x3c00), dmin = 0.5
// (0x3800); sub-block s has 6-bit scale sc[s] and min m[s]:
//
//	sc = 1 2 3 4 | 44 45 46 47     m = 10 11 12 13 | 54 55 56 57
//
// Sub-blocks 0..3 keep theirs in the low 6 bits of bytes s and s+4;
// sub-blocks 4..7 keep the low 4 bits in byte s+4 (scale low nibble, min
// high nibble) and the top 2 bits in bits 6-7 of bytes s-4 (scale: 44>>4 =
// 2) and s (min: 54>>4 = 3). qs: byte 32g+l = (l%16) | (15-l%16)<<4, so
// sub-block 2g (low nibbles) has q = l%16 and 2g+1 (high) q = 15-l%16.
// y = d*sc*q - dmin*m; e.g. sub-block 5 (elements 160..191), l = 3:
// q = 12, y = 45*12 - 0.5*55 = 512.5; sub-block 0, l = 0: y = -5.
func TestDequantizeQ4_KByHand(t *testing.T) {
	sc := []int{1, 2, 3, 4, 44, 45, 46, 47}
	m := []int{10, 11, 12, 13, 54, 55, 56, 57}
	b := make([]byte, 144)
	b[0], b[1] = 0x00, 0x3c
	b[2], b[3] = 0x00, 0x38
	for s := 0; s < 4; s++ {
		b[4+s] = byte(sc[s] | (sc[s+4]>>4)<<6)
		b[4+s+4] = byte(m[s] | (m[s+4]>>4)<<6)
		b[4+s+8] = byte(sc[s+4]&15 | (m[s+4]&15)<<4)
	}
	for g := 0; g < 4; g++ {
		for l := 0; l < 32; l++ {
			b[16+32*g+l] = byte(l%16 | (15-l%16)<<4)
		}
	}
	y := make([]float32, 256)
	if err := Dequantize(Q4_K, b, y); err != nil {
		t.Fatal(err)
	}
	if y[0] != -5 || y[160+3] != 512.5 {
		t.Fatalf("y[0] = %g (want -5), y[163] = %g (want 512.5)", y[0], y[163])
	}
	for s := 0; s < 8; s++ {
		for l := 0; l < 32; l++ {
			q := l % 16
			if s%2 == 1 {
				q = 15 - l%16
			}
			want := float32(sc[s]*q) - 0.5*float32(m[s])
			if got := y[32*s+l]; got != want {
				t.Fatalf("sub-block %d element %d: got %g want %g", s, l, got, want)
			}
		}
	}
}

// Q6_K super-block, worked from the layout: d = 0.5 (0x3800), scales[k] =
// 3k - 20 (negative and positive), element e has the 6-bit value q(e) =
// (7e + 5) % 64, stored as: for half h and l < 32, the four elements
// 128h + l + 32g (g = 0..3) take their low 4 bits from ql[64h+l] low
// nibble (g=0), ql[64h+32+l] low (g=1), ql[64h+l] high (g=2), ql[64h+32+l]
// high (g=3), and their top 2 bits from qh[32h+l] bits 2g..2g+1.
// y(e) = d * scales[e/16] * (q(e) - 32); e.g. e = 0: q = 5, y = 0.5*-20*-27
// = 270; e = 255: q = 1790%64 = 62, y = 0.5*25*30 = 375.
func TestDequantizeQ6_KByHand(t *testing.T) {
	q := func(e int) int { return (7*e + 5) % 64 }
	b := make([]byte, 210)
	for h := 0; h < 2; h++ {
		for l := 0; l < 32; l++ {
			q0, q1, q2, q3 := q(128*h+l), q(128*h+32+l), q(128*h+64+l), q(128*h+96+l)
			b[64*h+l] = byte(q0&15 | (q2&15)<<4)
			b[64*h+32+l] = byte(q1&15 | (q3&15)<<4)
			b[128+32*h+l] = byte(q0>>4 | (q1>>4)<<2 | (q2>>4)<<4 | (q3>>4)<<6)
		}
	}
	for k := 0; k < 16; k++ {
		b[192+k] = byte(int8(3*k - 20))
	}
	b[208], b[209] = 0x00, 0x38
	y := make([]float32, 256)
	if err := Dequantize(Q6_K, b, y); err != nil {
		t.Fatal(err)
	}
	if y[0] != 270 || y[255] != 375 {
		t.Fatalf("y[0] = %g (want 270), y[255] = %g (want 375)", y[0], y[255])
	}
	for e := range y {
		want := 0.5 * float32(3*(e/16)-20) * float32(q(e)-32)
		if y[e] != want {
			t.Fatalf("element %d: got %g want %g", e, y[e], want)
		}
	}
}

func TestDequantizePlain(t *testing.T) {
	b := []byte{0, 0, 0x80, 0x3f, 0x00, 0x3c, 0x80, 0x3f}
	y := make([]float32, 1)
	if err := Dequantize(F32, b[:4], y); err != nil || y[0] != 1 {
		t.Fatalf("f32: %v %v", y, err)
	}
	y = make([]float32, 2)
	if err := Dequantize(F16, b[4:8], y); err != nil || y[0] != 1 || y[1] != F16ToF32(0x3f80) {
		t.Fatalf("f16: %v %v", y, err)
	}
	if err := Dequantize(BF16, b[4:8], y); err != nil || y[0] != BF16ToF32(0x3c00) || y[1] != 1 {
		t.Fatalf("bf16: %v %v", y, err)
	}
}

// --- round trips --------------------------------------------------------------

func randn(seed int64, n int, scale float64) []float32 {
	r := rand.New(rand.NewSource(seed))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

func roundTrip(t *testing.T, ty Type, x []float32) ([]byte, []float32) {
	t.Helper()
	rb, err := ty.RowBytes(len(x))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, rb)
	if err := Quantize(ty, x, b); err != nil {
		t.Fatal(err)
	}
	y := make([]float32, len(x))
	if err := Dequantize(ty, b, y); err != nil {
		t.Fatal(err)
	}
	return b, y
}

func TestRoundTripBounds(t *testing.T) {
	for _, scale := range []float64{1, 0.02, 1e-5, 500} {
		x := randn(7, 64*256, scale)
		// f32 exact; f16/bf16 within half an ulp of their precision.
		if _, y := roundTrip(t, F32, x); !equalBits(x, y) {
			t.Fatal("f32 round trip not exact")
		}
		for _, c := range []struct {
			ty  Type
			rel float64
		}{{F16, 1.0 / 2048}, {BF16, 1.0 / 256}} {
			_, y := roundTrip(t, c.ty, x)
			for i := range x {
				tol := math.Abs(float64(x[i]))*c.rel + 1e-45
				if c.ty == F16 {
					tol += math.Ldexp(1, -25) // half the smallest subnormal
				}
				if d := math.Abs(float64(x[i] - y[i])); d > tol {
					t.Fatalf("%s scale %g element %d: %g -> %g", c.ty, scale, i, x[i], y[i])
				}
			}
		}
		// q8_0: every element within d/2 of the input (plus the f16
		// rounding of d, which moves q*d by at most 127*|d16-d|).
		b, y := roundTrip(t, Q8_0, x)
		for blk := 0; blk < len(x)/32; blk++ {
			var amax float64
			for _, v := range x[32*blk : 32*blk+32] {
				amax = math.Max(amax, math.Abs(float64(v)))
			}
			d16 := float64(f16At(b[34*blk:]))
			tol := d16/2 + 127*math.Abs(d16-amax/127) + 1e-6*amax
			for i := 32 * blk; i < 32*blk+32; i++ {
				if e := math.Abs(float64(x[i] - y[i])); e > tol {
					t.Fatalf("q8_0 scale %g element %d: error %g > %g", scale, i, e, tol)
				}
			}
		}
		// q4_0: within d/2 except that the top level (x/d in [7.5, 8]) is
		// clipped to 15: within |d| (plus d's f16 rounding).
		b, y = roundTrip(t, Q4_0, x)
		for blk := 0; blk < len(x)/32; blk++ {
			var amax float64
			for _, v := range x[32*blk : 32*blk+32] {
				amax = math.Max(amax, math.Abs(float64(v)))
			}
			d16 := math.Abs(float64(f16At(b[18*blk:])))
			tol := d16 + 8*math.Abs(d16-amax/8) + 1e-6*amax
			for i := 32 * blk; i < 32*blk+32; i++ {
				if e := math.Abs(float64(x[i] - y[i])); e > tol {
					t.Fatalf("q4_0 scale %g element %d: error %g > %g", scale, i, e, tol)
				}
			}
		}
		// Relative rms error of normal data (at 1e-5 the f16 scales are
		// subnormal or zero, as in ggml, and the bound does not apply).
		if scale < 1e-3 {
			continue
		}
		for _, c := range []struct {
			ty  Type
			rel float64
		}{{Q4_K, 0.09}, {Q6_K, 0.025}, {Q4_0, 0.12}, {Q8_0, 0.006}} {
			_, y := roundTrip(t, c.ty, x)
			var se, sx float64
			for i := range x {
				d := float64(x[i] - y[i])
				se += d * d
				sx += float64(x[i]) * float64(x[i])
			}
			if r := math.Sqrt(se / sx); r > c.rel {
				t.Errorf("%s scale %g: relative rms error %.4f > %.4f", c.ty, scale, r, c.rel)
			}
		}
	}
}

// Special blocks: all zero, constant, one non-zero value.
func TestRoundTripSpecialBlocks(t *testing.T) {
	zero := make([]float32, 256)
	for _, ty := range blockTypes {
		b, y := roundTrip(t, ty, zero)
		for i, v := range y {
			if v != 0 {
				t.Fatalf("%s: zero block element %d = %g", ty, i, v)
			}
		}
		if ty == Q6_K {
			for i, v := range b {
				if v != 0 {
					t.Fatalf("q6_k zero block byte %d = %d (ggml writes all zero)", i, v)
				}
			}
		}
		one := make([]float32, 256)
		one[100] = -0.75
		if _, y := roundTrip(t, ty, one); math.Abs(float64(y[100]+0.75)) > 0.75/100 || y[0] != 0 {
			t.Fatalf("%s: single value -0.75 came back as %g (y[0] %g)", ty, y[100], y[0])
		}
	}
}

func equalBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// QuantizeRows equals Quantize row by row, whatever GOMAXPROCS.
func TestQuantizeRowsSplitIndependent(t *testing.T) {
	rows, cols := 37, 512
	x := randn(3, rows*cols, 0.05)
	for _, ty := range []Type{F16, Q8_0, Q4_0, Q4_K, Q6_K} {
		rb, _ := ty.RowBytes(cols)
		want := make([]byte, rows*rb)
		for r := 0; r < rows; r++ {
			if err := Quantize(ty, x[r*cols:(r+1)*cols], want[r*rb:(r+1)*rb]); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []int{1, 4} {
			old := runtime.GOMAXPROCS(p)
			got, err := QuantizeRows(ty, x, rows, cols)
			runtime.GOMAXPROCS(old)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s GOMAXPROCS %d: QuantizeRows differs from row-by-row Quantize", ty, p)
			}
		}
	}
}

// --- f16 / bf16 ---------------------------------------------------------------

func TestF16Conversions(t *testing.T) {
	ldexp := func(m float64, e int) float32 { return float32(math.Ldexp(m, e)) }
	cases := []struct {
		f float32
		h uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {0.5, 0x3800}, {65504, 0x7bff},
		{65519.99, 0x7bff}, {65520, 0x7c00}, {1e6, 0x7c00}, {-1e6, 0xfc00},
		{ldexp(1, -24), 0x0001}, {ldexp(1, -25), 0x0000}, // tie -> even 0
		{ldexp(1.0000001, -25), 0x0001}, {ldexp(3, -25), 0x0002}, // 1.5 ulp ties to 2
		{ldexp(1023, -24), 0x03ff}, {ldexp(1, -14), 0x0400},
		{ldexp(2047, -25), 0x0400}, // largest subnormal + half ulp rounds up to the smallest normal
		{1 + ldexp(1, -11), 0x3c00}, {1 + ldexp(3, -11), 0x3c02}, {1 + ldexp(1.5, -11), 0x3c01},
		{float32(math.Copysign(0, -1)), 0x8000}, {ldexp(1, -30), 0}, {-ldexp(1, -30), 0x8000},
		{float32(math.Inf(1)), 0x7c00}, {float32(math.Inf(-1)), 0xfc00},
	}
	for _, c := range cases {
		if got := F32ToF16(c.f); got != c.h {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	if h := F32ToF16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("NaN -> %#04x, not a NaN", h)
	}
	if h := F32ToF16(math.Float32frombits(0xff800001)); h&0x7fff <= 0x7c00 || h&0x8000 == 0 {
		t.Errorf("-sNaN -> %#04x, want a negative NaN", h)
	}
	back := []struct {
		h uint16
		f float32
	}{
		{0x0001, ldexp(1, -24)}, {0x03ff, ldexp(1023, -24)}, {0x0400, ldexp(1, -14)},
		{0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x3555, 0.333251953125},
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	}
	for _, c := range back {
		if got := F16ToF32(c.h); got != c.f {
			t.Errorf("F16ToF32(%#04x) = %g, want %g", c.h, got, c.f)
		}
	}
	if b := math.Float32bits(F16ToF32(0x8000)); b != 0x80000000 {
		t.Errorf("F16ToF32(-0) bits %#08x", b)
	}
	if b := math.Float32bits(F16ToF32(0x7d00)); b != 0x7fe00000 {
		t.Errorf("F16ToF32(sNaN 0x7d00) = %#08x, want quiet 0x7fe00000", b)
	}
	// Every half survives a round trip (NaNs as NaNs).
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		g := F32ToF16(F16ToF32(h))
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			if g&0x7c00 != 0x7c00 || g&0x3ff == 0 {
				t.Fatalf("NaN %#04x -> %#04x", h, g)
			}
			continue
		}
		if g != h {
			t.Fatalf("half %#04x -> %g -> %#04x", h, F16ToF32(h), g)
		}
	}
}

func TestBF16Conversions(t *testing.T) {
	cases := []struct {
		bits uint32
		h    uint16
	}{
		{0x3f800000, 0x3f80}, // 1
		{0x3f808000, 0x3f80}, // 1 + 2^-8: tie -> even
		{0x3f818000, 0x3f82}, // 1 + 3*2^-8: tie -> even (up)
		{0x3f808001, 0x3f81}, // just above the tie
		{0x3f80ffff, 0x3f81},
		{0x80000000, 0x8000},
		{0x7f7fffff, 0x7f80}, // max float rounds to inf
		{0x7f800000, 0x7f80}, {0xff800000, 0xff80},
		{0x00000001, 0x0000}, {0x00008000, 0x0000}, {0x00018000, 0x0002},
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.bits)); got != c.h {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.bits, got, c.h)
		}
	}
	for _, nan := range []uint32{0x7fc00000, 0x7f800001, 0xff800001, 0x7fffffff} {
		h := F32ToBF16(math.Float32frombits(nan))
		if !math.IsNaN(float64(BF16ToF32(h))) {
			t.Errorf("NaN %#08x -> %#04x, not a NaN", nan, h)
		}
	}
	if BF16ToF32(0x3f80) != 1 || BF16ToF32(0xc0a0) != -5 {
		t.Error("BF16ToF32")
	}
}

// --- mixes --------------------------------------------------------------------

func TestMixType(t *testing.T) {
	// use_more_bits(i, 16): i < 2, i >= 14, (i-2)%3 == 2 -> 0 1 4 7 10 13 14 15.
	more16 := map[int]bool{0: true, 1: true, 4: true, 7: true, 10: true, 13: true, 14: true, 15: true}
	for i := 0; i < 16; i++ {
		if got := useMoreBits(i, 16); got != more16[i] {
			t.Errorf("use_more_bits(%d, 16) = %v", i, got)
		}
	}
	// gpt2 small (12 layers): n/8 = 1, 7n/8 = 10: 0, (i-1)%3 == 2 -> 3 6 9, and 10 11.
	more12 := map[int]bool{0: true, 3: true, 6: true, 9: true, 10: true, 11: true}
	for i := 0; i < 12; i++ {
		if got := useMoreBits(i, 12); got != more12[i] {
			t.Errorf("use_more_bits(%d, 12) = %v", i, got)
		}
	}
	type row struct {
		mix, name   string
		layer, cols int
		tied        bool
		want        Type
	}
	rows := []row{
		{"q4_k_m", "output.weight", 0, 2048, false, Q6_K},
		{"q4_k_m", "token_embd.weight", 0, 2048, false, Q4_K},
		{"q4_k_m", "token_embd.weight", 0, 2048, true, Q6_K},
		{"q4_k_m", "blk.0.attn_v.weight", 0, 2048, false, Q6_K},
		{"q4_k_m", "blk.2.attn_v.weight", 2, 2048, false, Q4_K},
		{"q4_k_m", "blk.4.attn_v.weight", 4, 2048, false, Q6_K},
		{"q4_k_m", "blk.15.ffn_down.weight", 15, 8192, false, Q6_K},
		{"q4_k_m", "blk.5.ffn_down.weight", 5, 8192, false, Q4_K},
		{"q4_k_m", "blk.7.attn_qkv.weight", 7, 768, false, Q6_K},
		{"q4_k_m", "blk.8.attn_qkv.weight", 8, 768, false, Q4_K},
		{"q4_k_m", "blk.0.attn_q.weight", 0, 2048, false, Q4_K},
		{"q4_k_m", "blk.0.attn_k.weight", 0, 2048, false, Q4_K},
		{"q4_k_m", "blk.0.attn_output.weight", 0, 2048, false, Q4_K},
		{"q4_k_m", "blk.0.ffn_gate.weight", 0, 2048, false, Q4_K},
		{"q4_k_m", "blk.0.ffn_up.weight", 0, 2048, false, Q4_K},
		{"q4_k_m", "blk.0.attn_norm.weight", 0, 2048, false, F32},
		{"q4_k_m", "blk.0.attn_qkv.bias", 0, 2304, false, F32},
		{"q4_k_m", "output_norm.weight", 0, 2048, false, F32},
		{"q4_k_m", "blk.0.attn_q_norm.weight", 0, 128, false, F32},
		{"q4_k_m", "rope_freqs.weight", 0, 64, false, F32},
		{"q4_k_m", "position_embd.weight", 0, 768, false, F32},
		// fallbacks: qwen2-0.5B's 896 = 28*32 is no multiple of 256.
		{"q4_k_m", "blk.3.attn_q.weight", 3, 896, false, Q8_0},
		{"q4_k_m", "blk.0.attn_v.weight", 0, 896, false, Q8_0},
		{"q4_k_m", "output.weight", 0, 896, false, Q8_0},
		{"q4_k_m", "blk.3.attn_q.weight", 3, 100, false, F16},
		{"q4_0", "blk.3.attn_q.weight", 3, 100, false, F16},
		{"q8_0", "blk.3.attn_q.weight", 3, 100, false, F16},
		{"q4_0", "output.weight", 0, 2048, false, Q6_K},
		{"q4_0", "output.weight", 0, 896, false, Q8_0},
		{"q4_0", "token_embd.weight", 0, 2048, true, Q6_K},
		{"q4_0", "token_embd.weight", 0, 2048, false, Q4_0},
		{"q4_0", "blk.0.ffn_down.weight", 0, 8192, false, Q4_0},
		{"q4_0", "blk.0.attn_v.weight", 0, 2048, false, Q4_0},
		{"q8_0", "output.weight", 0, 2048, false, Q8_0},
		{"q8_0", "token_embd.weight", 0, 2048, true, Q8_0},
		{"q8_0", "blk.0.attn_v.weight", 0, 896, false, Q8_0},
		{"f16", "blk.0.attn_v.weight", 0, 100, false, F16},
		{"f16", "blk.0.attn_norm.weight", 0, 100, false, F32},
		{"bf16", "output.weight", 0, 2048, false, BF16},
		{"f32", "output.weight", 0, 2048, false, F32},
	}
	for _, r := range rows {
		got, err := MixTypeTied(r.mix, r.name, r.layer, 16, r.cols, r.tied)
		if err != nil || got != r.want {
			t.Errorf("MixTypeTied(%s, %s, layer %d, cols %d, tied %v) = %s, %v; want %s",
				r.mix, r.name, r.layer, r.cols, r.tied, got, err, r.want)
		}
		if !r.tied {
			if got2, err := MixType(r.mix, r.name, r.layer, 16, r.cols); err != nil || got2 != got {
				t.Errorf("MixType(%s, %s) = %s, %v; MixTypeTied(false) gave %s", r.mix, r.name, got2, err, got)
			}
		}
	}
}

// --- rejections ---------------------------------------------------------------

func wantErr(t *testing.T, err error, sub string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), sub) {
		t.Fatalf("error %v, want one containing %q", err, sub)
	}
}

func TestDequantizeRejects(t *testing.T) {
	wantErr(t, Dequantize(Type(3), make([]byte, 64), make([]float32, 32)), "unknown type 3")
	wantErr(t, Dequantize(Q8_0, make([]byte, 68), make([]float32, 33)), "whole blocks of 32")
	wantErr(t, Dequantize(Q4_K, make([]byte, 144), make([]float32, 128)), "whole blocks of 256")
	wantErr(t, Dequantize(Q6_K, make([]byte, 209), make([]float32, 256)), "need 210 bytes, have 209")
	wantErr(t, Dequantize(F16, make([]byte, 3), make([]float32, 2)), "need 4 bytes, have 3")
	wantErr(t, Dequantize(F32, nil, make([]float32, 1)), "need 4 bytes, have 0")
}

func TestQuantizeRejects(t *testing.T) {
	wantErr(t, Quantize(Type(3), make([]float32, 32), make([]byte, 64)), "unknown type 3")
	wantErr(t, Quantize(Q4_0, make([]float32, 48), make([]byte, 27)), "whole blocks of 32")
	wantErr(t, Quantize(Q8_0, make([]float32, 32), make([]byte, 35)), "take 34 bytes, dst has 35")
	for _, ty := range []Type{F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K} {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			x := make([]float32, 512)
			x[300] = bad
			rb, _ := ty.RowBytes(len(x))
			err := Quantize(ty, x, make([]byte, rb))
			var nf *NonFiniteError
			if !errors.As(err, &nf) || nf.Index != 300 || nf.Row != -1 {
				t.Fatalf("%s with %g at 300: %v", ty, bad, err)
			}
			wantErr(t, err, "element 300")
		}
	}
	// Finite values that would round to infinity.
	x := []float32{1, 70000}
	err := Quantize(F16, x, make([]byte, 4))
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Index != 1 {
		t.Fatalf("f16 70000: %v", err)
	}
	wantErr(t, err, "overflows F16")
	wantErr(t, Quantize(BF16, []float32{math.MaxFloat32}, make([]byte, 2)), "overflows BF16")
	// Scales that overflow f16.
	for _, ty := range blockTypes {
		x := randn(1, 512, 1)
		x[300] = 1e9
		rb, _ := ty.RowBytes(len(x))
		err := Quantize(ty, x, make([]byte, rb))
		var so *ScaleOverflowError
		if !errors.As(err, &so) || so.Block != 300/ty.BlockSize() {
			t.Fatalf("%s with 1e9: %v", ty, err)
		}
		wantErr(t, err, "overflows f16")
	}
}

func TestQuantizeRowsRejects(t *testing.T) {
	_, err := QuantizeRows(Q8_0, make([]float32, 64), 3, 32)
	wantErr(t, err, "needs 96 values, have 64")
	_, err = QuantizeRows(Q4_K, make([]float32, 512), 4, 128)
	wantErr(t, err, "whole blocks of 256")
	_, err = QuantizeRows(Q8_0, nil, -1, 32)
	wantErr(t, err, "needs")
	_, err = QuantizeRows(Type(99), make([]float32, 32), 1, 32)
	wantErr(t, err, "unknown type 99")
	// The lowest bad row is reported, with matrix coordinates.
	rows, cols := 40, 64
	x := randn(2, rows*cols, 1)
	x[33*cols+9] = float32(math.NaN())
	x[5*cols+7] = float32(math.Inf(1))
	_, err = QuantizeRows(Q4_0, x, rows, cols)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Row != 5 || nf.Col != 7 || nf.Index != 5*cols+7 {
		t.Fatalf("got %v", err)
	}
	wantErr(t, err, "element 327 (row 5, column 7)")
	y := randn(2, rows*cols, 1)
	y[12*cols+3] = 1e9
	_, err = QuantizeRows(Q8_0, y, rows, cols)
	wantErr(t, err, "row 12: quant: Q8_0 block 0")
	// Empty matrices are fine.
	if b, err := QuantizeRows(Q8_0, nil, 0, 32); err != nil || len(b) != 0 {
		t.Fatalf("empty: %v %v", b, err)
	}
}

func TestMixTypeRejects(t *testing.T) {
	_, err := MixType("q5_k_m", "blk.0.attn_q.weight", 0, 16, 2048)
	wantErr(t, err, `unknown mix "q5_k_m"`)
	_, err = MixType("q5_k_m", "output_norm.weight", 0, 16, 2048)
	wantErr(t, err, `unknown mix "q5_k_m"`)
	_, err = MixType("q8_0", "", 0, 16, 2048)
	wantErr(t, err, "empty tensor name")
	_, err = MixType("q8_0", "blk.0.attn_q.weight", 0, 16, 0)
	wantErr(t, err, "row length 0")
	_, err = MixType("q4_k_m", "blk.16.attn_v.weight", 16, 16, 2048)
	wantErr(t, err, "layer 16 outside 0..15")
	_, err = MixType("q4_k_m", "blk.3.ffn_down.weight", 3, 0, 2048)
	wantErr(t, err, "outside")
	_, err = MixType("q4_k_m", "blk.3.ffn_down.weight", 4, 16, 2048)
	wantErr(t, err, "is in block 3, not layer 4")
}

// --- fuzz ---------------------------------------------------------------------

// FuzzDequantize: any bytes, any type id, any length: an error or values,
// never a panic; a success decodes exactly the bytes RowBytes names.
func FuzzDequantize(f *testing.F) {
	f.Add([]byte{0x00, 0x38, 1, 2, 3}, uint8(2), uint16(32))
	f.Add(make([]byte, 210), uint8(14), uint16(256))
	f.Add(make([]byte, 144), uint8(12), uint16(256))
	f.Add([]byte{0x00, 0x7c}, uint8(1), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, typ uint8, n uint16) {
		ty := Type(typ)
		dst := make([]float32, int(n))
		err := Dequantize(ty, data, dst)
		if err != nil {
			return
		}
		rb, rerr := ty.RowBytes(int(n))
		if rerr != nil || rb > len(data) {
			t.Fatalf("Dequantize(%s, %d bytes, %d) succeeded but needs %d bytes (%v)", ty, len(data), n, rb, rerr)
		}
		// Decoding the same bytes again gives the same bits.
		dst2 := make([]float32, int(n))
		if err := Dequantize(ty, data[:rb], dst2); err != nil || !equalBits(dst, dst2) {
			t.Fatalf("second decode differs: %v", err)
		}
	})
}

// The two-at-a-time trials of the Q4_K quantizer equal make_qkx2_quants
// (makeQkx2Quants, written as ggml writes it) sub-block by sub-block,
// including pairs where one side is constant or finishes early.
func TestKx2PairsEqualPlain(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for trial := 0; trial < 300; trial++ {
		var xs, ws [2][32]float32
		for k := range xs {
			kind := r.Intn(4)
			for i := range xs[k] {
				switch kind {
				case 0:
					xs[k][i] = float32(r.NormFloat64())
				case 1:
					xs[k][i] = 0.25 // constant: no trials
				case 2:
					xs[k][i] = float32(r.Intn(5)) * 0.5 // repeated levels
				default:
					xs[k][i] = float32(r.ExpFloat64() * 0.01)
				}
				ws[k][i] = float32(r.Float64()) + abs32(xs[k][i])
			}
		}
		var st [2]kx2State
		var Lp [2][32]uint8
		for k := range st {
			st[k].init(&xs[k], &ws[k], &Lp[k])
		}
		kx2Trials(&st[0], &st[1])
		for k := range st {
			var L, aux [32]uint8
			sc, mn := makeQkx2Quants(xs[k][:], ws[k][:], L[:], aux[:])
			if math.Float32bits(sc) != math.Float32bits(st[k].scale) || math.Float32bits(mn) != math.Float32bits(-st[k].mn) || L != Lp[k] {
				t.Fatalf("trial %d side %d: plain (%g, %g, %v) paired (%g, %g, %v)", trial, k, sc, mn, L, st[k].scale, -st[k].mn, Lp[k])
			}
		}
	}
}
