package kernels

// mvKernels names, per path, the one-row kernel for f32 panels that mvRun
// calls: c[0..63] = bias (or zero when nil) + sum over kk < k of
// a[kk]*b[kk*64+j], one FMA chain per column in ascending kk, the bits of
// the tiles. Paths without one (portable; 16-bit panels on every path) use
// the tiles. (A kind, not a func value: calling the assembly directly
// keeps its arguments on the stack.)
var mvKernels = map[Path]int{}

// chunksPerThread is how many pieces MatMuls cuts a job into per thread.
const chunksPerThread = 4

// Product is one C = A.B (+ bias) of MatMul's arguments.
type Product struct {
	C       []float32
	Ldc     int
	A       []float32
	Lda     int
	M, K, N int
	B       Panels
	Bias    []float32

	qa   []byte  // B.Q's products: A quantized (quantizeProducts)
	qbuf *[]byte // the pooled scratch qa lives in, when this product owns it
}

// MatMuls computes each product exactly as MatMul would (the same bits),
// in one hand-off to the worker pool: the 64-column panels of all the
// products are split across the workers in proportion to their k, so that
// decode's small products (one row, a few hundred thousand multiply-adds)
// use every thread, and products that read the same input (q, k and v;
// gate and up) share one hand-off. Each output is computed by one worker
// with one FMA chain, so neither the split nor the grouping changes a bit.
func MatMuls(ps []Product) {
	work, cost := 0, 0
	for i := range ps {
		p := &ps[i]
		if p.M == 0 || p.N == 0 {
			continue
		}
		work += p.M * p.K * p.N
		cost += p.B.NumPanelsOf(p.N) * max(p.K, 1)
	}
	if work == 0 {
		return
	}
	if quantizeProducts(ps) {
		defer releaseProducts(ps)
	}
	im, mv := cur(), mvKernels[Current()]
	workers := min(PoolWorkers(work), cost)
	if workers < 2 {
		for i := range ps {
			p := &ps[i]
			if p.M > 0 && p.N > 0 {
				productRange(im, mv, p, 0, p.B.NumPanelsOf(p.N))
			}
		}
		return
	}
	// A few chunks per thread, claimed as threads come free, so a thread
	// the OS deschedules (a busy 2-vCPU machine) delays one small chunk.
	chunks := min(chunksPerThread*workers, cost)
	RunChunks(workers, chunks, func(_, w int) {
		lo, hi := w*cost/chunks, (w+1)*cost/chunks
		off := 0
		for i := range ps {
			p := &ps[i]
			if p.M == 0 || p.N == 0 {
				continue
			}
			np, k := p.B.NumPanelsOf(p.N), max(p.K, 1)
			// Panel j starts at cost off+j*k; this worker takes the
			// panels that start in [lo, hi).
			p0 := min(max(ceilDiv(lo-off, k), 0), np)
			p1 := min(max(ceilDiv(hi-off, k), 0), np)
			if p0 < p1 {
				productRange(im, mv, p, p0, p1)
			}
			off += np * k
		}
	})
}

// MatMulsSerial is MatMuls on the calling goroutine only, for callers
// that split work across threads themselves (attention's heads).
func MatMulsSerial(ps []Product) {
	if quantizeProducts(ps) {
		defer releaseProducts(ps)
	}
	im, mv := cur(), mvKernels[Current()]
	for i := range ps {
		p := &ps[i]
		if p.M > 0 && p.N > 0 {
			productRange(im, mv, p, 0, p.B.NumPanelsOf(p.N))
		}
	}
}

// NumPanelsOf is the number of 64-column panels n columns take.
func (p Panels) NumPanelsOf(n int) int { return (n + NR - 1) / NR }

func ceilDiv(a, b int) int {
	if a <= 0 {
		return -((-a) / b)
	}
	return (a + b - 1) / b
}

// productRange computes panels p0..p1 of one product: quantized weights
// through their format's kernels, one-row f32 products through the path's
// one-row kernel, everything else through the tiles.
func productRange(im impl, mv int, p *Product, p0, p1 int) {
	if p.B.Q != nil {
		qProductRange(p, p0, p1)
		return
	}
	if p.M != 1 || mv == 0 || p.B.Fmt != F32 || p.K == 0 {
		matmulRange(im, p.C, p.Ldc, p.A, p.Lda, p.M, p.K, p.N, p.B, p.Bias, p0, p1)
		return
	}
	k, n := p.K, p.N
	a, c := p.A[:k], p.C[:n] // bounds checked here, not by the assembly
	if p.Bias != nil {
		_ = p.Bias[n-1]
	}
	for pi := p0; pi < p1; pi++ {
		col := pi * NR
		pan := p.B.Data[pi*p.B.Stride:]
		_ = pan[(k-1)*NR+NR-1]
		if col+NR <= n {
			var bp *float32
			if p.Bias != nil {
				bp = &p.Bias[col]
			}
			mvRun(mv, &c[col : col+NR][0], &a[0], &pan[0], k, bp)
			continue
		}
		// Partial panel: through a full-width scratch row.
		var tmp, bz [NR]float32
		var bp *float32
		if p.Bias != nil {
			copy(bz[:], p.Bias[col:n])
			bp = &bz[0]
		}
		mvRun(mv, &tmp[0], &a[0], &pan[0], k, bp)
		copy(c[col:n], tmp[:n-col])
	}
}
