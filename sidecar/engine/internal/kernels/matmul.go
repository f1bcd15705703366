package kernels

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// NR is the panel width: packed matrices store 64 columns per panel, each
// panel as k rows of 64 contiguous floats (zero-padded past n).
const NR = 64

// MaxMR is the most rows one tile call computes.
const MaxMR = 6

// Format is the storage format of a panel matrix's elements.
type Format uint8

// Panel element formats. F16 and BF16 panels keep the 16-bit values of a
// weights file; the tiles convert each one to float32 exactly (every half
// and every bfloat16 is a float32) before the same FMA sequence as F32, so
// a product over F16/BF16 panels has the bits of the product over F32
// panels holding the converted values.
const (
	F32  Format = iota // Data
	F16                // Half, IEEE binary16
	BF16               // Half, bfloat16 (the top half of a float32)
)

func (f Format) String() string {
	switch f {
	case F32:
		return "f32"
	case F16:
		return "f16"
	case BF16:
		return "bf16"
	}
	return fmt.Sprintf("format(%d)", int(f))
}

// ElemBytes is the size of one stored element.
func (f Format) ElemBytes() int {
	if f == F32 {
		return 4
	}
	return 2
}

// Panels is a k x n matrix in panel layout. Stride is the distance in
// elements between panels (at least k*NR); a KV cache uses a larger stride
// so it can grow in k or n without repacking. F32 panels hold their
// elements in Data, F16 and BF16 panels in Half (same layout). A
// block-quantized matrix (QPanels) has neither: Q holds it in its own
// layout, and the products dispatch to its format's kernels.
type Panels struct {
	K, N   int
	Stride int
	Fmt    Format
	Data   []float32
	Half   []uint16
	Q      *QMatrix
}

// NumPanels is the number of 64-column panels.
func (p Panels) NumPanels() int { return (p.N + NR - 1) / NR }

// NewPanels allocates a zeroed k x n panel matrix.
func NewPanels(k, n int) Panels {
	np := (n + NR - 1) / NR
	return Panels{K: k, N: n, Stride: k * NR, Data: make([]float32, np*k*NR)}
}

// Pack converts w to panel layout. If transposed is false w is k x n row-major
// (GPT-2's Conv1D layout); if true w is n x k (torch Linear's out x in).
func Pack(w []float32, k, n int, transposed bool) Panels {
	p := NewPanels(k, n)
	for col := 0; col < n; col++ {
		pan := p.Data[(col/NR)*p.Stride:]
		j := col % NR
		for kk := 0; kk < k; kk++ {
			var v float32
			if transposed {
				v = w[col*k+kk]
			} else {
				v = w[kk*n+col]
			}
			pan[kk*NR+j] = v
		}
	}
	return p
}

// Set writes element (kk, col) of an F32 panel matrix.
func (p Panels) Set(kk, col int, v float32) {
	p.Data[(col/NR)*p.Stride+kk*NR+col%NR] = v
}

// NewHalfPanels allocates a zeroed k x n panel matrix of 16-bit elements
// (f is F16 or BF16).
func NewHalfPanels(k, n int, f Format) Panels {
	np := (n + NR - 1) / NR
	return Panels{K: k, N: n, Stride: k * NR, Fmt: f, Half: make([]uint16, np*k*NR)}
}

// PackHalf converts 16-bit values w (layout as in Pack) to panels of
// format f without widening them.
func PackHalf(w []uint16, k, n int, transposed bool, f Format) Panels {
	p := NewHalfPanels(k, n, f)
	for col := 0; col < n; col++ {
		pan := p.Half[(col/NR)*p.Stride:]
		j := col % NR
		for kk := 0; kk < k; kk++ {
			if transposed {
				pan[kk*NR+j] = w[col*k+kk]
			} else {
				pan[kk*NR+j] = w[kk*n+col]
			}
		}
	}
	return p
}

// Bytes is the memory the elements take.
func (p Panels) Bytes() int64 {
	if p.Q != nil {
		return int64(len(p.Q.Data))
	}
	return 4*int64(len(p.Data)) + 2*int64(len(p.Half))
}

// Column writes column col (k values, converted to float32) into dst: a
// tied embedding reads a token's row of the table from the output head.
func (p Panels) Column(col int, dst []float32) {
	dst = dst[:p.K]
	if p.Q != nil {
		p.Q.Row(col, dst)
		return
	}
	off := (col/NR)*p.Stride + col%NR
	switch p.Fmt {
	case F32:
		d := p.Data[off:]
		for kk := range dst {
			dst[kk] = d[kk*NR]
		}
	case F16:
		h := p.Half[off:]
		for kk := range dst {
			dst[kk] = HalfToF32(h[kk*NR])
		}
	default:
		h := p.Half[off:]
		for kk := range dst {
			dst[kk] = BF16ToF32(h[kk*NR])
		}
	}
}

// Widen returns the F32 panels of the converted values (tests compare
// against it; the engine never expands weights).
func (p Panels) Widen() Panels {
	if p.Fmt == F32 {
		return p
	}
	out := Panels{K: p.K, N: p.N, Stride: p.Stride, Fmt: F32, Data: make([]float32, len(p.Half))}
	ConvertHalf(out.Data, p.Half, p.Fmt)
	return out
}

// ConvertHalf widens 16-bit values of format f into dst exactly.
func ConvertHalf(dst []float32, src []uint16, f Format) {
	dst = dst[:len(src)]
	if f == BF16 {
		for i, h := range src {
			dst[i] = math.Float32frombits(uint32(h) << 16)
		}
		return
	}
	for i, h := range src {
		dst[i] = HalfToF32(h)
	}
}

// BF16ToF32 widens a bfloat16 exactly.
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// HalfToF32 converts an IEEE half-precision value exactly (every half is
// representable as a single), including subnormals, infinities and NaN,
// as VCVTPH2PS does.
func HalfToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0 && man == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		e := uint32(127 - 15 + 1)
		for man&0x400 == 0 {
			man <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
}

// parallelMin is the work (multiply-adds) below which a product runs on the
// calling goroutine: handing work to another thread costs more than it saves
// for small products on a 2-vCPU machine.
var parallelMin = 1 << 21

// Workers is how many goroutines a job of work multiply-adds should be
// split across: 1 below the threading threshold, else GOMAXPROCS.
func Workers(work int) int {
	if work < parallelMin {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// MatMulSerial is MatMul on the calling goroutine only, for callers that
// split work across threads themselves.
func MatMulSerial(c []float32, ldc int, a []float32, lda int, m, k, n int, b Panels, bias []float32) {
	if m == 0 || n == 0 {
		return
	}
	if b.Q != nil {
		MatMulsSerial([]Product{{C: c, Ldc: ldc, A: a, Lda: lda, M: m, K: k, N: n, B: b, Bias: bias}})
		return
	}
	matmulRange(cur(), c, ldc, a, lda, m, k, n, b, bias, 0, (n+NR-1)/NR)
}

// MatMul computes C[i][j] = bias[j] + sum_k A[i][kk]*B[kk][j] for i < m,
// j < n, over the first k rows of B, accumulating in ascending kk with FMA.
// bias may be nil (zero). C has row stride ldc, A row stride lda.
func MatMul(c []float32, ldc int, a []float32, lda int, m, k, n int, b Panels, bias []float32) {
	if m == 0 || n == 0 {
		return
	}
	if b.Q != nil {
		MatMuls([]Product{{C: c, Ldc: ldc, A: a, Lda: lda, M: m, K: k, N: n, B: b, Bias: bias}})
		return
	}
	im := cur()
	np := (n + NR - 1) / NR
	mb := (m + MaxMR - 1) / MaxMR
	workers := Workers(m * k * n)
	if workers < 2 {
		matmulRange(im, c, ldc, a, lda, m, k, n, b, bias, 0, np)
		return
	}
	// Split panels across workers when there are enough, else row blocks.
	// Each output is computed entirely by one worker either way. The
	// calling goroutine takes the last share itself, so a two-way split
	// wakes one goroutine, not two.
	byPanels := np >= workers || mb < workers
	if byPanels {
		workers = min(workers, np)
	}
	share := func(w int) {
		if byPanels {
			lo, hi := w*np/workers, (w+1)*np/workers
			matmulRange(im, c, ldc, a, lda, m, k, n, b, bias, lo, hi)
			return
		}
		lo, hi := w*mb/workers*MaxMR, min((w+1)*mb/workers*MaxMR, m)
		matmulRange(im, c[lo*ldc:], ldc, a[lo*lda:], lda, hi-lo, k, n, b, bias, 0, np)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers-1; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			share(w)
		}()
	}
	share(workers - 1)
	wg.Wait()
}

// kBlock bounds how many rows of a panel one tile pass reads, so that the
// panel slice (kBlock x 64 floats) stays near L1 while row blocks reuse it.
// Splitting k this way does not change any bit: partial sums go through C
// in float32 exactly as they would stay in a register.
const kBlock = 256

// Tile init modes.
const (
	initZero = 0 // accumulators start at zero
	initBias = 1 // every row starts from the bias row
	initC    = 2 // every row starts from what C holds (a later k block)
)

func matmulRange(im impl, c []float32, ldc int, a []float32, lda int, m, k, n int, b Panels, bias []float32, p0, p1 int) {
	// The scratch tile and bias row go to the kernels through func values, so they
	// live on the heap: allocated only for a partial last panel, not on every call.
	var tmp *[MaxMR * NR]float32
	var binit *[NR]float32
	for p := p0; p < p1; p++ {
		col := p * NR
		full := col+NR <= n
		var bz []float32
		mode0 := initZero
		if bias != nil {
			mode0 = initBias
			if full {
				bz = bias[col : col+NR]
			} else {
				binit = new([NR]float32)
				copy(binit[:], bias[col:n])
				bz = binit[:]
			}
		}
		var pan []float32
		var panH []uint16
		if b.Fmt == F32 {
			pan = b.Data[p*b.Stride:]
		} else {
			panH = b.Half[p*b.Stride:]
		}
		for k0 := 0; ; k0 += kBlock {
			kn := min(kBlock, k-k0)
			mode := mode0
			if k0 > 0 {
				mode = initC
			}
			for i := 0; i < m; i += MaxMR {
				mr := min(MaxMR, m-i)
				ar := a[i*lda+k0:]
				if full {
					if panH != nil {
						im.tileH(c[i*ldc+col:], ldc, ar, lda, mr, panH[k0*NR:], kn, bz, mode, b.Fmt)
					} else {
						im.tile(c[i*ldc+col:], ldc, ar, lda, mr, pan[k0*NR:], kn, bz, mode)
					}
					continue
				}
				// Partial panel: compute into a full-width scratch tile.
				w := n - col
				if tmp == nil {
					tmp = new([MaxMR * NR]float32)
				}
				if mode == initC {
					for r := 0; r < mr; r++ {
						copy(tmp[r*NR:r*NR+w], c[(i+r)*ldc+col:(i+r)*ldc+col+w])
					}
				}
				if panH != nil {
					im.tileH(tmp[:], NR, ar, lda, mr, panH[k0*NR:], kn, bz, mode, b.Fmt)
				} else {
					im.tile(tmp[:], NR, ar, lda, mr, pan[k0*NR:], kn, bz, mode)
				}
				for r := 0; r < mr; r++ {
					copy(c[(i+r)*ldc+col:(i+r)*ldc+col+w], tmp[r*NR:r*NR+w])
				}
			}
			if k0+kBlock >= k {
				break
			}
		}
	}
}

// SetParallelMin changes the threading threshold and returns the old one;
// determinism tests set it to 1 so tiny models exercise the thread split.
func SetParallelMin(n int) int {
	old := parallelMin
	parallelMin = n
	return old
}
