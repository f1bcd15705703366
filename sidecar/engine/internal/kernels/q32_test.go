package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

var q32Types = []quant.Type{quant.Q8_0, quant.Q4_0}

// f16 bits of a positive scale 2^e * (1 + frac/1024), e in [-14, 15].
func q32Half(e, frac int) uint16 { return uint16((e+15)<<10 | frac&0x3ff) }

// randQ32 returns n rows of k weights of t in GGUF's layout: random quant
// bytes (Q8_0 including -128) and scales around 0.01.
func randQ32(r *rand.Rand, t quant.Type, k, n int) []byte {
	bb := t.BlockBytes()
	data := make([]byte, n*k/32*bb)
	for o := 0; o < len(data); o += bb {
		binary.LittleEndian.PutUint16(data[o:], q32Half(-7-r.IntN(3), r.IntN(1024)))
		for i := 2; i < bb; i++ {
			data[o+i] = byte(r.Uint32())
		}
	}
	return data
}

// refWeight is element e of row j from the published block formula, read
// from GGUF's layout: (q, d) with value q*d.
func refWeight(t quant.Type, data []byte, k, j, e int) (int32, float32) {
	bb := t.BlockBytes()
	blk := data[(j*k/32+e/32)*bb:]
	d := HalfToF32(binary.LittleEndian.Uint16(blk))
	i := e % 32
	if t == quant.Q8_0 {
		return int32(int8(blk[2+i])), d
	}
	if i < 16 {
		return int32(blk[2+i]&15) - 8, d
	}
	return int32(blk[2+i-16]>>4) - 8, d
}

// refAct quantizes one block of 32 as the package comment defines.
func refAct(x []float32) ([32]int32, float32) {
	var amax float32
	for _, v := range x {
		if v < 0 {
			v = -v
		}
		if v > amax {
			amax = v
		}
	}
	var q [32]int32
	if amax == 0 {
		return q, 0
	}
	id := 127 / amax
	for i, v := range x {
		f := float64(float32(v * id))
		fl := math.Floor(f)
		n := fl
		if f-fl > 0.5 || (f-fl == 0.5 && math.Mod(fl, 2) != 0) {
			n = fl + 1
		}
		q[i] = int32(max(-127, min(127, n)))
	}
	return q, amax / 127
}

// refQ32 is the documented order: per output, blocks ascending, the exact
// integer sum scaled by float32(dw*da) and FMA'd onto the bias.
func refQ32(t quant.Type, data []byte, a []float32, m, k, n int, bias []float32) []float32 {
	out := make([]float32, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var acc float32
			if bias != nil {
				acc = bias[j]
			}
			for b := 0; b < k/32; b++ {
				qa, da := refAct(a[i*k+b*32 : i*k+b*32+32])
				var isum int32
				var dw float32
				for e := 0; e < 32; e++ {
					q, d := refWeight(t, data, k, j, b*32+e)
					isum += q * qa[e]
					dw = d
				}
				acc = FMA32(float32(isum), float32(dw*da), acc)
			}
			out[i*n+j] = acc
		}
	}
	return out
}

func newQ32(t *testing.T, typ quant.Type, k, n int, gguf []byte) *QMatrix {
	t.Helper()
	w, err := NewQMatrix(typ, k, n, append([]byte(nil), gguf...))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: c[%d] = %g (%#x), want %g (%#x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestQ32ActQuant checks the activation quantization on a hand-worked
// block: amax 127 gives d = 1 and id = 1, so q = round-half-even(x).
func TestQ32ActQuant(t *testing.T) {
	x := make([]float32, 32)
	copy(x, []float32{127, 2.5, 3.5, -2.5, -3.5, 0.49, -0.5, 126.5, -127, 1.5})
	want := []int8{127, 2, 4, -2, -4, 0, 0, 126, -127, 2}
	dst := make([]byte, q32ActBytes)
	for _, off := range []int32{128, 8} {
		quantizeAct32(dst, x, off)
		var sum int32
		for i, w := range want {
			if int8(dst[i]) != w {
				t.Fatalf("q[%d] of %g = %d, want %d", i, x[i], int8(dst[i]), w)
			}
			sum += int32(w)
		}
		if d := actScale(dst); d != 1 {
			t.Fatalf("d = %g, want 1", d)
		}
		if corr := int32(binary.LittleEndian.Uint32(dst[36:])); corr != -off*sum {
			t.Fatalf("correction %d, want %d", corr, -off*sum)
		}
	}
	// Halving the block halves d and leaves the quants; zeros give d = 0.
	for i := range x {
		x[i] /= 2
	}
	quantizeAct32(dst, x, 128)
	if d := actScale(dst); d != 0.5 || int8(dst[1]) != 2 || int8(dst[0]) != 127 {
		t.Fatalf("halved block: d %g q0 %d q1 %d", d, int8(dst[0]), int8(dst[1]))
	}
	clear(x)
	quantizeAct32(dst, x, 128)
	if actScale(dst) != 0 || dst[0] != 0 || binary.LittleEndian.Uint32(dst[36:]) != 0 {
		t.Fatal("zero block must quantize to d = 0, q = 0")
	}
}

// TestQ32IntegerExact: with weight scales 1 and activations that are
// integers with |x| = 127 in every block (so d_a = 1), every output is the
// exact integer dot product; extreme values (-128 weights against ±127
// activations) would show any int16 saturation.
func TestQ32IntegerExact(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, typ := range q32Types {
		for _, extreme := range []bool{false, true} {
			k, n, m := 256, 40, 11
			gguf := randQ32(r, typ, k, n)
			bb := typ.BlockBytes()
			for o := 0; o < len(gguf); o += bb {
				binary.LittleEndian.PutUint16(gguf[o:], 0x3c00) // 1.0
				if extreme {
					for i := 2; i < bb; i++ {
						if typ == quant.Q8_0 {
							gguf[o+i] = 0x80 // -128
						} else {
							gguf[o+i] = 0xff // nibbles 15: the largest int16 block sums
						}
					}
				}
			}
			a := make([]float32, m*k)
			for i := range a {
				switch {
				case extreme:
					a[i] = float32(127 * (1 - 2*(i/3%2)))
				case i%32 == 0:
					a[i] = -127
				default:
					a[i] = float32(r.IntN(255) - 127)
				}
			}
			want := make([]float32, m*n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var s int64
					for e := 0; e < k; e++ {
						q, _ := refWeight(typ, gguf, k, j, e)
						s += int64(q) * int64(a[i*k+e])
					}
					want[i*n+j] = float32(s)
				}
			}
			w := newQ32(t, typ, k, n, gguf)
			for _, path := range Available() {
				Use(path)
				got := make([]float32, m*n)
				QMatMul(got, n, a, k, m, w, nil)
				sameBits(t, typ.String()+" "+path.String()+" integer dot", got, want)
			}
		}
	}
	Use(Available()[len(Available())-1])
}

// TestQ32Paths: every path and thread split gives the reference order's
// bits, for odd N (a tail past the last group of 16), N below one group,
// several K, bias nil and not, and each row alone equals its row in the
// batch.
func TestQ32Paths(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	oldProcs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(oldProcs)
	old := SetParallelMin(1 << 40)
	defer SetParallelMin(old)
	for _, typ := range q32Types {
		for _, sh := range [][3]int{{13, 96, 87}, {1, 32, 5}, {2, 64, 40}, {9, 768, 48}, {3, 160, 16}, {17, 64, 33}} {
			m, k, n := sh[0], sh[1], sh[2]
			gguf := randQ32(r, typ, k, n)
			a := randSlice(r, m*k)
			for _, bias := range [][]float32{nil, randSlice(r, n)} {
				want := refQ32(typ, gguf, a, m, k, n, bias)
				w := newQ32(t, typ, k, n, gguf)
				for _, path := range Available() {
					Use(path)
					for _, procs := range []int{1, 4} {
						runtime.GOMAXPROCS(procs)
						for _, pmin := range []int{1 << 40, 1} {
							SetParallelMin(pmin)
							what := typ.String() + " " + path.String()
							got := make([]float32, m*n)
							QMatMul(got, n, a, k, m, w, bias)
							sameBits(t, what+" batch", got, want)
							// Strided output, each row alone.
							ldc := n + 3
							one := make([]float32, ldc)
							for i := 0; i < m; i++ {
								QMatMul(one, ldc, a[i*k:], k, 1, w, bias)
								sameBits(t, what+" alone", one[:n], want[i*n:(i+1)*n])
							}
						}
					}
				}
			}
		}
	}
	Use(Available()[len(Available())-1])
}

// TestQ32Row: Row dequantizes every row (interleaved groups and the tail)
// as float32(q)*d from the GGUF bytes.
func TestQ32Row(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, typ := range q32Types {
		k, n := 96, 37
		gguf := randQ32(r, typ, k, n)
		w := newQ32(t, typ, k, n, gguf)
		if w.Layout != 1 {
			t.Fatalf("%s: layout %d, want the interleaved layout 1", typ, w.Layout)
		}
		dst := make([]float32, k)
		for j := 0; j < n; j++ {
			w.Row(j, dst)
			for e := 0; e < k; e++ {
				q, d := refWeight(typ, gguf, k, j, e)
				if want := float32(q) * d; math.Float32bits(dst[e]) != math.Float32bits(want) {
					t.Fatalf("%s row %d [%d] = %g want %g", typ, j, e, dst[e], want)
				}
			}
		}
	}
}

// TestQ32CloseToF32: the quantized product is within the error that
// rounding the activations to 8 bits allows (|x - q*d| <= d/2 per element)
// of the exact product with the dequantized weights.
func TestQ32CloseToF32(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, typ := range q32Types {
		m, k, n := 4, 512, 50
		gguf := randQ32(r, typ, k, n)
		w := newQ32(t, typ, k, n, gguf)
		a := randSlice(r, m*k)
		bias := randSlice(r, n)
		got := make([]float32, m*n)
		QMatMul(got, n, a, k, m, w, bias)
		row := make([]float32, k)
		for j := 0; j < n; j++ {
			w.Row(j, row)
			for i := 0; i < m; i++ {
				exact, bound, mag := float64(bias[j]), 0.0, math.Abs(float64(bias[j]))
				for b := 0; b < k/32; b++ {
					var amax float64
					for e := b * 32; e < b*32+32; e++ {
						amax = max(amax, math.Abs(float64(a[i*k+e])))
					}
					for e := b * 32; e < b*32+32; e++ {
						p := float64(row[e]) * float64(a[i*k+e])
						exact += p
						mag += math.Abs(p)
						bound += math.Abs(float64(row[e])) * amax / 254
					}
				}
				if d := math.Abs(float64(got[i*n+j]) - exact); d > bound*1.001+1e-6*mag {
					t.Fatalf("%s c[%d][%d] = %g, exact %g: error %g > bound %g", typ, i, j, got[i*n+j], exact, d, bound)
				}
			}
		}
	}
}

// TestQ32Refused: sizes that are not whole blocks or whole rows.
func TestQ32Refused(t *testing.T) {
	for _, typ := range q32Types {
		if _, err := NewQMatrix(typ, 33, 2, make([]byte, 2*34)); err == nil {
			t.Errorf("%s: K = 33 accepted", typ)
		}
		rb, _ := typ.RowBytes(64)
		if _, err := NewQMatrix(typ, 64, 3, make([]byte, 3*rb-1)); err == nil {
			t.Errorf("%s: short data accepted", typ)
		}
		if !QSupported(typ) {
			t.Errorf("%s not registered", typ)
		}
	}
}

// TestQ32Dispatch: every path the CPU runs has its own Q8_0/Q4_0 kernels,
// and Use switches them.
func TestQ32Dispatch(t *testing.T) {
	defer Use(Available()[len(Available())-1])
	for _, p := range Available() {
		k, ok := q32Impls[p]
		if !ok || k.q8 == nil || k.q4 == nil {
			t.Fatalf("path %s has no Q8_0/Q4_0 kernels", p)
		}
		Use(p)
		if got := q32Cur().q8; got == nil {
			t.Fatalf("path %s: no current kernel", p)
		}
	}
}
