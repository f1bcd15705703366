package kernels

import (
	"fmt"
	"sync/atomic"
)

// Path names an implementation of the kernels.
type Path int

// The implementations, slowest first.
const (
	Portable Path = iota
	AVX2
	AVX512
)

func (p Path) String() string {
	switch p {
	case Portable:
		return "portable"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return fmt.Sprintf("path(%d)", int(p))
}

// impl is the kernel set of one path. tile computes an mr x NR tile (mr is
// 1..MaxMR) over k rows of a panel, starting as mode says (initZero,
// initBias from bias, initC from C); the slice functions work element-wise.
type impl struct {
	tile func(c []float32, ldc int, a []float32, lda int, mr int, b []float32, k int, bias []float32, mode int)
	// tileH is tile over F16 or BF16 panels: each element is widened
	// exactly, then the same FMA sequence as tile.
	tileH   func(c []float32, ldc int, a []float32, lda int, mr int, b []uint16, k int, bias []float32, mode int, f Format)
	expSub  func(dst, src []float32, m float32)
	gelu    func(x []float32)
	siluMul func(g, u []float32)
	// Lane reductions over x (len a multiple of Lanes) into l.
	// l goes in and out by value: a pointer passed through these func values
	// escapes, and the caller's lanes were a heap allocation per call (Sum, Max and
	// SumSquares run per row and per head: an eighth of a small model's CPU in
	// malloc and GC).
	maxLanes   func(x []float32, l [Lanes]float32) [Lanes]float32
	sumLanes   func(x []float32, l [Lanes]float32) [Lanes]float32
	sumSqLanes func(x []float32, mean float32, l [Lanes]float32) [Lanes]float32
	// Element-wise passes.
	scale     func(x []float32, s float32)
	add       func(dst, x []float32)
	layerNorm func(dst, x, w, b []float32, mean, inv float32)
	rmsNorm   func(dst, x, w []float32, inv float32)
}

var (
	impls   = map[Path]impl{Portable: portableImpl}
	current atomic.Pointer[implEntry]
)

type implEntry struct {
	path Path
	impl impl
}

func init() { selectBest() }

// selectBest switches to the fastest registered path; architecture files
// call it again after registering theirs (init order follows file names).
func selectBest() {
	best := Portable
	for p := range impls {
		if p > best {
			best = p
		}
	}
	current.Store(&implEntry{best, impls[best]})
}

// Available lists the paths this CPU can run.
func Available() []Path {
	var out []Path
	for p := Portable; p <= AVX512; p++ {
		if _, ok := impls[p]; ok {
			out = append(out, p)
		}
	}
	return out
}

// Current returns the path in use.
func Current() Path { return current.Load().path }

// Use selects a path (tests force each one; all give identical bits).
func Use(p Path) error {
	im, ok := impls[p]
	if !ok {
		return fmt.Errorf("kernels: path %s not available on this CPU", p)
	}
	current.Store(&implEntry{p, im})
	return nil
}

func cur() impl { return current.Load().impl }
