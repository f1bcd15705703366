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
	// and end on (except at N), for formats that interleave rows.
	rowGroup int
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

var qScratch sync.Pool // *[]byte: quantized activations

// QMatMul computes C[i][j] = bias[j] + A[i] . W[j] for i < m and j < w.N,
// with A's rows (stride lda, w.K values each) quantized to the format's
// activation blocks first. bias may be nil.
func QMatMul(c []float32, ldc int, a []float32, lda int, m int, w *QMatrix, bias []float32) {
	if m == 0 {
		return
	}
	f := qFormats[w.Type]
	ab := f.actBytes(w.K)
	bp, _ := qScratch.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	if cap(*bp) < m*ab {
		*bp = make([]byte, m*ab)
	}
	qa := (*bp)[:m*ab]
	for i := 0; i < m; i++ {
		f.quantizeAct(qa[i*ab:(i+1)*ab], a[i*lda:i*lda+w.K])
	}
	workers := Workers(m * w.K * w.N)
	groups := (w.N + f.rowGroup - 1) / f.rowGroup
	workers = min(workers, groups)
	if workers < 2 {
		f.matmul(c, ldc, qa, m, w, bias, 0, w.N)
	} else {
		// Each worker takes whole row groups; the caller takes the last.
		share := func(x int) {
			j0 := min(x*groups/workers*f.rowGroup, w.N)
			j1 := min((x+1)*groups/workers*f.rowGroup, w.N)
			if j1 > j0 {
				f.matmul(c, ldc, qa, m, w, bias, j0, j1)
			}
		}
		var wg sync.WaitGroup
		for x := 0; x < workers-1; x++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				share(x)
			}()
		}
		share(workers - 1)
		wg.Wait()
	}
	qScratch.Put(bp)
}
