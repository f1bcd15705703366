package native

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// Forward runs tokens through the model after what the cache already holds
// and leaves the final-normed hidden states of those tokens, one row of Dim
// per token, in out (len(tokens)*Dim). Long inputs run in chunks.
func (s *State) Forward(tokens []int, out []float32) error {
	return s.forward(tokens, out, false)
}

// ForwardLast is Forward for a caller that needs only the last token's hidden
// state (generation): out holds one row of Dim. Every token's keys and values
// still enter the cache, but the last layer computes attention, the output
// projection and the MLP for the last row only (llama.cpp's output ids): the
// other rows' results there feed nothing. That row's bits are the ones Forward
// gives it, since every row is computed the same way whatever rows share the pass.
func (s *State) ForwardLast(tokens []int, out []float32) error {
	if len(tokens) == 0 {
		return fmt.Errorf("no tokens")
	}
	return s.forward(tokens, out, true)
}

// forward runs tokens in chunks; with lastOnly every chunk writes its last row to
// out[:Dim] (the last chunk's stays).
func (s *State) forward(tokens []int, out []float32, lastOnly bool) error {
	if err := s.check(tokens); err != nil {
		return err
	}
	D := s.m.Cfg.Dim
	for i := 0; i < len(tokens); i += s.chunk {
		j := min(i+s.chunk, len(tokens))
		if lastOnly {
			s.forwardChunkLast(tokens[i:j], out[:D], true)
		} else {
			s.forwardChunkLast(tokens[i:j], out[i*D:j*D], false)
		}
	}
	return nil
}

// check refuses tokens that do not fit the context or the vocabulary.
func (s *State) check(tokens []int) error {
	if s.pos+len(tokens) > s.cap {
		return fmt.Errorf("sequence of %d tokens exceeds context %d", s.pos+len(tokens), s.cap)
	}
	for _, t := range tokens {
		if t < 0 || t >= s.m.Cfg.Vocab {
			return fmt.Errorf("token id %d outside vocabulary %d", t, s.m.Cfg.Vocab)
		}
	}
	return nil
}

func (s *State) forwardChunk(tokens []int, out []float32) {
	s.forwardChunkLast(tokens, out, false)
}

func (s *State) forwardChunkLast(tokens []int, out []float32, lastOnly bool) {
	if s.sc == nil {
		s.sc = newScratch(s.m.Cfg, s.chunk)
	}
	s.sc.seq[0] = seqChunk{s: s, tokens: tokens, out: out, lastOnly: lastOnly}
	s.m.forwardSeqs(s.sc, s.sc.seq[:])
	s.sc.seq[0] = seqChunk{}
}

// seqChunk is one sequence's part of a forward pass: tokens to append
// after what its state's cache holds, and where their final hidden states go
// (only the last token's, one row, when lastOnly).
type seqChunk struct {
	s        *State
	tokens   []int
	out      []float32
	lastOnly bool
}

// firstOutRow is the first of the chunk's rows whose final hidden state is wanted.
func (q seqChunk) firstOutRow() int {
	if q.lastOnly {
		return len(q.tokens) - 1
	}
	return 0
}

// forwardSeqs runs the chunks of several sequences as one pass: their rows
// are stacked so every weight product runs once over all of them, while
// attention stays per sequence. Each row is computed exactly as it would be
// alone (norms per row, one FMA chain per product output), so a sequence's
// bits do not depend on what it is batched with. sc must hold the total
// rows; each chunk must fit its state's chunk size and context.
func (m *Model) forwardSeqs(sc *scratch, seqs []seqChunk) {
	kernels.BeginPass() // concurrent passes run their products unsplit
	defer kernels.EndPass()
	c := m.Cfg
	D, hd := c.Dim, c.HeadDim()
	qd, kvd := c.Heads*hd, c.KVHeads*hd
	T := 0
	for _, q := range seqs {
		T += len(q.tokens)
	}
	sc.tasks, sc.maxKeys = sc.tasks[:0], 0
	x := sc.x[:T*D]
	r := 0
	for _, q := range seqs {
		for t, id := range q.tokens {
			row := x[r*D : r*D+D]
			m.embedRow(id, row)
			if c.Arch == "gpt2" {
				p := q.s.pos + t
				kernels.Add(row, m.posEmb[p*D:p*D+D])
			}
			r++
		}
	}
	h := sc.h[:T*D]
	tmp := sc.tmp[:T*D]
	att := sc.att[:T*qd]
	for l := range m.layers {
		ly := &m.layers[l]
		m.norm(h, x, ly.norm1W, ly.norm1B, T)
		var q, k, v []float32
		var qs, ks int // row strides
		if c.Arch == "gpt2" {
			qkv := sc.q[:T*3*D]
			sc.matmuls(product(qkv, 3*D, h, D, T, D, 3*D, ly.qkv, ly.qkvB))
			q, k, v, qs, ks = qkv, qkv[D:], qkv[2*D:], 3*D, 3*D
		} else {
			q, k, v = sc.q[:T*qd], sc.k[:T*kvd], sc.v[:T*kvd]
			// One hand-off for the three products of the same rows.
			sc.matmuls(product(q, qd, h, D, T, D, qd, ly.q, ly.qB),
				product(k, kvd, h, D, T, D, kvd, ly.k, ly.kB),
				product(v, kvd, h, D, T, D, kvd, ly.v, ly.vB))
			if ly.qNorm != nil { // Qwen3: RMSNorm each head of q and k before RoPE
				parallelRows(T, 4*(qd+kvd), func(lo, hi int) {
					for t := lo; t < hi; t++ {
						for g := 0; g < c.Heads; g++ {
							x := q[t*qd+g*hd : t*qd+g*hd+hd]
							kernels.RMSNorm(x, x, ly.qNorm, c.Eps)
						}
						for g := 0; g < c.KVHeads; g++ {
							x := k[t*kvd+g*hd : t*kvd+g*hd+hd]
							kernels.RMSNorm(x, x, ly.kNorm, c.Eps)
						}
					}
				})
			}
			r := 0
			for _, sq := range seqs {
				for t := range sq.tokens {
					m.applyRope(q[r*qd:r*qd+qd], c.Heads, hd, sq.s.pos+t)
					m.applyRope(k[r*kvd:r*kvd+kvd], c.KVHeads, hd, sq.s.pos+t)
					r++
				}
			}
			qs, ks = qd, kvd
		}
		r := 0
		for _, sq := range seqs {
			n := len(sq.tokens)
			sq.s.storeKV(l, k[r*ks:], v[r*ks:], ks, n)
			r += n
		}
		if l == len(m.layers)-1 && T > len(seqs) {
			// The last layer: only the rows whose output is wanted go on.
			if kept := m.keepOutputRows(sc, seqs, x, q, qs); kept < T {
				T = kept
				x, h, tmp, att = x[:T*D], h[:T*D], tmp[:T*D], att[:T*qd]
			}
		}
		m.attention(sc, l, seqs, q, qs, att)
		// x += att . Wo (+ bias)
		sc.matmuls(product(tmp, D, att, qd, T, qd, D, ly.o, ly.oB))
		kernels.Add(x, tmp)
		m.norm(h, x, ly.norm2W, ly.norm2B, T)
		ff := sc.ff[:T*c.FF]
		F := c.FF
		if c.Arch == "gpt2" {
			sc.matmuls(product(ff, F, h, D, T, D, F, ly.up, ly.upB))
			parallelRows(T, 16*F, func(lo, hi int) { kernels.GELU(ff[lo*F : hi*F]) })
		} else {
			ff2 := sc.ff2[:T*F]
			sc.matmuls(product(ff, F, h, D, T, D, F, ly.gate, nil),
				product(ff2, F, h, D, T, D, F, ly.up, nil))
			parallelRows(T, 16*F, func(lo, hi int) { kernels.SiLUMul(ff[lo*F:hi*F], ff2[lo*F:hi*F]) })
		}
		sc.matmuls(product(tmp, D, ff, c.FF, T, c.FF, D, ly.down, ly.downB))
		kernels.Add(x, tmp)
	}
	r = 0
	for _, q := range seqs {
		n := len(q.tokens) - q.firstOutRow()
		m.norm(q.out, x[r*D:], m.normW, m.normB, n)
		q.s.pos += len(q.tokens)
		r += n
	}
}

// keepOutputRows moves the rows whose final hidden state is wanted (a
// lastOnly sequence's last, every row of the others) to the front of x and
// q, in sequence order, and sets the attention tasks for them. It returns how
// many rows it kept.
func (m *Model) keepOutputRows(sc *scratch, seqs []seqChunk, x, q []float32, qs int) int {
	D := m.Cfg.Dim
	qd := m.Cfg.Heads * m.Cfg.HeadDim()
	kept, r := 0, 0
	for _, sq := range seqs {
		n := len(sq.tokens)
		for t := sq.firstOutRow(); t < n; t++ {
			if kept != r+t { // kept < r+t: a forward copy never overwrites a row still to move
				copy(x[kept*D:kept*D+D], x[(r+t)*D:(r+t)*D+D])
				copy(q[kept*qs:kept*qs+qd], q[(r+t)*qs:(r+t)*qs+qd])
			}
			kept++
		}
		r += n
	}
	m.attentionTasks(sc, seqs, true)
	return kept
}

func (m *Model) norm(dst, x, w, b []float32, T int) {
	D := m.Cfg.Dim
	parallelRows(T, 4*D, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			if b != nil {
				kernels.LayerNorm(dst[t*D:t*D+D], x[t*D:t*D+D], w, b, m.Cfg.Eps)
			} else {
				kernels.RMSNorm(dst[t*D:t*D+D], x[t*D:t*D+D], w, m.Cfg.Eps)
			}
		}
	})
}

// parallelRows calls fn over row ranges covering 0..T, split across
// threads when the work (rowWork per row, in multiply-add equivalents) is
// worth it; the calling goroutine takes the last range. Rows are
// independent, so the split changes no bit.
func parallelRows(T, rowWork int, fn func(lo, hi int)) {
	workers := min(T, kernels.PoolWorkers(T*rowWork))
	if workers < 2 {
		fn(0, T)
		return
	}
	kernels.RunShares(workers, func(w int) { fn(w*T/workers, (w+1)*T/workers) })
}

// product is a kernels.Product from MatMul's argument order.
func product(c []float32, ldc int, a []float32, lda int, m, k, n int, b kernels.Panels, bias []float32) kernels.Product {
	return kernels.Product{C: c, Ldc: ldc, A: a, Lda: lda, M: m, K: k, N: n, B: b, Bias: bias}
}

// matmuls runs up to three products of the same pass in one hand-off to
// the worker pool (kernels.MatMuls), through the scratch's product array so
// that a decode step does not allocate.
func (sc *scratch) matmuls(ps ...kernels.Product) {
	n := copy(sc.prods[:], ps)
	kernels.MatMuls(sc.prods[:n])
	clear(sc.prods[:n]) // drop references to this pass's slices
}

// storeKV appends n rows of keys and values (row stride ks) to layer l's
// cache after what it holds.
func (s *State) storeKV(l int, k, v []float32, ks, n int) {
	c := s.m.Cfg
	hd := c.HeadDim()
	for t := 0; t < n; t++ {
		p := s.pos + t
		for g := 0; g < c.KVHeads; g++ {
			kp, vp := s.kc[l][g], s.vc[l][g]
			kr := k[t*ks+g*hd : t*ks+g*hd+hd]
			vr := v[t*ks+g*hd : t*ks+g*hd+hd]
			// Key column p of the hd x cap panels: element (d, p).
			kcol := kp.Data[(p/kernels.NR)*kp.Stride+p%kernels.NR:]
			for d, x := range kr {
				kcol[d*kernels.NR] = x
			}
			// Value row p of the cap x hd panels: elements (p, d0..).
			for d0 := 0; d0 < hd; d0 += kernels.NR {
				copy(vp.Data[(d0/kernels.NR)*vp.Stride+p*kernels.NR:][:min(kernels.NR, hd-d0)], vr[d0:])
			}
		}
	}
}

// attRows is the query rows one attention task handles: its scores
// (attRows x keys) stay in L2, and the causal mask lets it stop at the
// keys its last row sees.
const attRows = 64

// attTask is one head over one block of one sequence's query rows.
type attTask struct {
	seq, h, r0, r1 int // r0, r1: the block's rows in the sequence's chunk
	row            int // the block's first row in the stacked rows
	keys           int // keys the block's last row sees (its cost)
}

// attentionTasks sets the pass's attention tasks: every row of every
// sequence, stacked in order, or only the rows whose output is wanted
// (keepOutputRows stacked them).
func (m *Model) attentionTasks(sc *scratch, seqs []seqChunk, outputOnly bool) {
	c := m.Cfg
	hd := c.HeadDim()
	sc.tasks, sc.maxKeys = sc.tasks[:0], 0
	row, work := 0, 0
	for i, sq := range seqs {
		T := len(sq.tokens)
		lo := 0
		if outputOnly {
			lo = sq.firstOutRow()
		}
		for h := 0; h < c.Heads; h++ {
			for r0 := lo; r0 < T; r0 += attRows {
				r1 := min(r0+attRows, T)
				sc.tasks = append(sc.tasks, attTask{seq: i, h: h, r0: r0, r1: r1, row: row + r0 - lo, keys: sq.s.pos + r1})
				sc.maxKeys = max(sc.maxKeys, sq.s.pos+r1)
			}
		}
		work += (T - lo) * (sq.s.pos + T) * hd * c.Heads
		row += T - lo
	}
	// Costliest first, so the threads finish together.
	slices.SortStableFunc(sc.tasks, func(a, b attTask) int { return cmp.Compare(b.keys, a.keys) })
	sc.attWorkers = min(len(sc.tasks), kernels.PoolWorkers(work))
}

// attention writes softmax(q.k^T * scale) . v for every sequence and head
// into att (row stride Heads*HeadDim), after storeKV put this pass's keys
// and values in the caches. The work is split into (sequence, head, row
// block) tasks run on up to GOMAXPROCS goroutines; each output row is
// computed the same way whichever task or thread computes it.
func (m *Model) attention(sc *scratch, l int, seqs []seqChunk, q []float32, qs int, att []float32) {
	c := m.Cfg
	hd := c.HeadDim()
	qd := c.Heads * hd
	if len(sc.tasks) == 0 { // once per pass: the same for every layer but a last one that keeps fewer rows
		m.attentionTasks(sc, seqs, false)
	}
	tasks, workers := sc.tasks, sc.attWorkers
	stride := attRows * sc.maxKeys
	if len(sc.scores) < workers*stride {
		sc.scores = make([]float32, workers*stride)
	}
	run := func(w int, t attTask) {
		seqs[t.seq].s.attBlock(l, t.h, t.r0, t.r1, q[t.row*qs:], qs, att[t.row*qd:], sc.scores[w*stride:(w+1)*stride])
	}

	if workers == 1 {
		for _, t := range tasks {
			run(0, t)
		}
		return
	}
	// Tasks are claimed in order (costliest first) as threads come free.
	kernels.RunChunks(workers, len(tasks), func(w, i int) { run(w, tasks[i]) })
}

// attBlock computes head h for query rows r0..r1 of the chunk; q and att start
// at the block's first row.
func (s *State) attBlock(l, h, r0, r1 int, q []float32, qs int, att, sc []float32) {
	c := s.m.Cfg
	hd := c.HeadDim()
	qd := c.Heads * hd
	g := h / (c.Heads / c.KVHeads)
	scale := 1 / kernels.Sqrt32(float32(hd))
	rows := r1 - r0
	n := s.pos + r1 // keys visible to the block's last row
	sc = sc[:rows*n]
	if rows == 1 { // decode: the one-row kernels, no allocation
		ps := [1]kernels.Product{product(sc, n, q[h*hd:], qs, 1, hd, n, s.kc[l][g], nil)}
		kernels.MatMulsSerial(ps[:])
	} else {
		kernels.MatMulSerial(sc, n, q[h*hd:], qs, rows, hd, n, s.kc[l][g], nil)
	}
	for t := 0; t < rows; t++ {
		row := sc[t*n : t*n+n]
		valid := s.pos + r0 + t + 1
		kernels.Scale(row[:valid], scale)
		kernels.SoftmaxInPlace(row[:valid])
		clear(row[valid:])
	}
	if rows == 1 {
		ps := [1]kernels.Product{product(att[h*hd:], qd, sc, n, 1, n, hd, s.vc[l][g], nil)}
		kernels.MatMulsSerial(ps[:])
		return
	}
	kernels.MatMulSerial(att[h*hd:], qd, sc, n, rows, n, hd, s.vc[l][g], nil)
}
