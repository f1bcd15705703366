package kernels

import (
	"fmt"
	"sync"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// QMatrix is a weight matrix in a block-quantized format, stored as GGUF
// stores it: N rows, one per output, each holding K weights in consecutive
// blocks of Type. A format may repack Data into its own layout when the
// matrix is prepared (NewQMatrix), in place and never as a second copy:
// resident memory stays the file's size.
type QMatrix struct {
	Type     quant.Type
	K, N     int
	RowBytes int    // bytes of one row in the GGUF layout
	Data     []byte // N*RowBytes bytes
	Layout   int    // format-private: 0 is GGUF's row layout
}

// qFormat is what a block format registers (one file per format family).
// Activations are quantized once per call (quantizeAct, one row at a time)
// and every output is an integer block dot product scaled and accumulated
// in the format's documented, fixed order, so the bits do not depend on the
// SIMD path, the thread count or how many rows are computed together.
type qFormat struct {
	// actBytes is the size of one quantized activation row of k values.
	actBytes func(k int) int
	// quantizeAct converts one activation row x (len k) into dst.
	quantizeAct func(dst []byte, x []float32)
	// matmul sets c[i*ldc+j] = bias[j] (0 when bias is nil) + dot(row i
	// of the quantized activations qa, row j of w) for i < m and
	// j0 <= j < j1; qa holds m rows of actBytes(w.K) bytes.
	matmul func(c []float32, ldc int, qa []byte, m int, w *QMatrix, bias []float32, j0, j1 int)
	// row dequantizes weight row j into dst (len K): the embedding lookup.
	row func(w *QMatrix, j int, dst []float32)
	// prepare may repack w.Data in place (optional).
	prepare func(w *QMatrix) error
	// rowGroup is the granularity of output rows a matmul call must start
	// and end on (except at N), for formats that interleave rows; it
	// divides NR, the unit MatMuls splits outputs by.
	rowGroup int
	// actKind names the activation format: products of formats with the
	// same kind over the same rows share one quantization.
	actKind int
}

var qFormats = map[quant.Type]*qFormat{}

// QSupported reports whether the kernels compute with weights of type t.
func QSupported(t quant.Type) bool { return qFormats[t] != nil }

// NewQMatrix wraps n rows of k weights of type t (GGUF's layout) for the
// kernels, checking the size; the matrix takes ownership of data.
func NewQMatrix(t quant.Type, k, n int, data []byte) (*QMatrix, error) {
	f := qFormats[t]
	if f == nil {
		return nil, fmt.Errorf("kernels: no kernels for weight type %s", t)
	}
	rb, err := t.RowBytes(k)
	if err != nil {
		return nil, err
	}
	if n <= 0 || len(data) != rb*n {
		return nil, fmt.Errorf("kernels: %s matrix %d x %d needs %d bytes, have %d", t, n, k, rb*n, len(data))
	}
	w := &QMatrix{Type: t, K: k, N: n, RowBytes: rb, Data: data}
	if f.prepare != nil {
		if err := f.prepare(w); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Row dequantizes row j (one output's weights; for an embedding matrix,
// token j's vector) into dst[:K].
func (w *QMatrix) Row(j int, dst []float32) { qFormats[w.Type].row(w, j, dst[:w.K]) }

// QPanels wraps a quantized matrix as the B operand of MatMul, MatMuls and
// their serial forms: K inputs by N outputs, like panels of K x N. The
// products quantize their A rows to the format's activation blocks once
// per call and split the outputs across threads at 64-row boundaries (a
// multiple of every format's rowGroup), so the bits are those of one
// thread computing everything.
func QPanels(w *QMatrix) Panels { return Panels{K: w.K, N: w.N, Q: w} }

var qScratch sync.Pool // *[]byte: quantized activations

// quantizeProducts quantizes the A rows of ps's quantized products into
// pooled scratch (ps[i].qa), once for products that read the same rows in
// the same activation format (q, k and v; gate and up). Many rows are
// split across threads: each row is quantized on its own, so the split
// changes no bit. It reports whether ps has a quantized product;
// releaseProducts returns the scratch.
func quantizeProducts(ps []Product) bool {
	has := false
	for i := range ps {
		p := &ps[i]
		if p.B.Q == nil || p.M == 0 || p.N == 0 {
			continue
		}
		w := p.B.Q
		if p.K != w.K || p.N != w.N {
			panic(fmt.Sprintf("kernels: product %d x %d over a %s matrix of %d x %d", p.K, p.N, w.Type, w.K, w.N))
		}
		has = true
		f := qFormats[w.Type]
		shared := false
		for j := 0; j < i; j++ {
			o := &ps[j]
			if o.qa != nil && o.B.Q != nil && qFormats[o.B.Q.Type].actKind == f.actKind &&
				o.M == p.M && o.K == p.K && o.Lda == p.Lda && &o.A[0] == &p.A[0] {
				p.qa, shared = o.qa, true
				break
			}
		}
		if shared {
			continue
		}
		ab := f.actBytes(w.K)
		bp, _ := qScratch.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
		}
		if cap(*bp) < p.M*ab {
			*bp = make([]byte, p.M*ab)
		}
		p.qbuf, p.qa = bp, (*bp)[:p.M*ab]
		quantizeRows(f, p.qa, ab, p.A, p.Lda, p.M, w.K)
	}
	return has
}

// quantizeRows quantizes m rows of a (stride lda, k values) into qa.
func quantizeRows(f *qFormat, qa []byte, ab int, a []float32, lda, m, k int) {
	one := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f.quantizeAct(qa[i*ab:(i+1)*ab], a[i*lda:i*lda+k])
		}
	}
	workers := min(m, PoolWorkers(8*m*k))
	if workers < 2 {
		one(0, m)
		return
	}
	RunShares(workers, func(w int) { one(w*m/workers, (w+1)*m/workers) })
}

// releaseProducts returns the scratch quantizeProducts took.
func releaseProducts(ps []Product) {
	for i := range ps {
		if ps[i].qbuf != nil {
			qScratch.Put(ps[i].qbuf)
		}
		ps[i].qbuf, ps[i].qa = nil, nil
	}
}

// qProductRange computes outputs p0*NR..p1*NR of a quantized product.
func qProductRange(p *Product, p0, p1 int) {
	w := p.B.Q
	qFormats[w.Type].matmul(p.C, p.Ldc, p.qa, p.M, w, p.Bias, p0*NR, min(p1*NR, p.N))
}

// QMatMul computes C[i][j] = bias[j] + A[i] . W[j] for i < m and j < w.N,
// with A's rows (stride lda, w.K values each) quantized to the format's
// activation blocks first. bias may be nil.
func QMatMul(c []float32, ldc int, a []float32, lda int, m int, w *QMatrix, bias []float32) {
	ps := []Product{{C: c, Ldc: ldc, A: a, Lda: lda, M: m, K: w.K, N: w.N, B: QPanels(w), Bias: bias}}
	MatMuls(ps)
}
