package kernels

import (
	"runtime"
	"sync"
)

// NR is the panel width: packed matrices store 64 columns per panel, each
// panel as k rows of 64 contiguous floats (zero-padded past n).
const NR = 64

// MaxMR is the most rows one tile call computes.
const MaxMR = 6

// Panels is a k x n matrix in panel layout. Stride is the distance in floats
// between panels (at least k*NR); a KV cache uses a larger stride so it can
// grow in k or n without repacking.
type Panels struct {
	K, N   int
	Stride int
	Data   []float32
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

// Set writes element (kk, col).
func (p Panels) Set(kk, col int, v float32) {
	p.Data[(col/NR)*p.Stride+kk*NR+col%NR] = v
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
	matmulRange(cur(), c, ldc, a, lda, m, k, n, b, bias, 0, (n+NR-1)/NR)
}

// MatMul computes C[i][j] = bias[j] + sum_k A[i][kk]*B[kk][j] for i < m,
// j < n, over the first k rows of B, accumulating in ascending kk with FMA.
// bias may be nil (zero). C has row stride ldc, A row stride lda.
func MatMul(c []float32, ldc int, a []float32, lda int, m, k, n int, b Panels, bias []float32) {
	if m == 0 || n == 0 {
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
	var tmp [MaxMR * NR]float32
	var binit [NR]float32
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
				binit = [NR]float32{}
				copy(binit[:], bias[col:n])
				bz = binit[:]
			}
		}
		pan := b.Data[p*b.Stride:]
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
					im.tile(c[i*ldc+col:], ldc, ar, lda, mr, pan[k0*NR:], kn, bz, mode)
					continue
				}
				// Partial panel: compute into a full-width scratch tile.
				w := n - col
				if mode == initC {
					for r := 0; r < mr; r++ {
						copy(tmp[r*NR:r*NR+w], c[(i+r)*ldc+col:(i+r)*ldc+col+w])
					}
				}
				im.tile(tmp[:], NR, ar, lda, mr, pan[k0*NR:], kn, bz, mode)
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
