package native

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// Forward runs tokens through the model after what the cache already holds
// and leaves the final-normed hidden states of those tokens, one row of Dim
// per token, in out (len(tokens)*Dim). Long inputs run in chunks.
func (s *State) Forward(tokens []int, out []float32) error {
	D := s.m.Cfg.Dim
	if s.pos+len(tokens) > s.cap {
		return fmt.Errorf("sequence of %d tokens exceeds context %d", s.pos+len(tokens), s.cap)
	}
	for _, t := range tokens {
		if t < 0 || t >= s.m.Cfg.Vocab {
			return fmt.Errorf("token id %d outside vocabulary %d", t, s.m.Cfg.Vocab)
		}
	}
	for i := 0; i < len(tokens); i += s.chunk {
		j := min(i+s.chunk, len(tokens))
		s.forwardChunk(tokens[i:j], out[i*D:j*D])
	}
	return nil
}

func (s *State) forwardChunk(tokens []int, out []float32) {
	s.m.forwardSeqs(s.sc, []seqChunk{{s: s, tokens: tokens, out: out}})
}

// seqChunk is one sequence's part of a forward pass: tokens to append
// after what its state's cache holds, and where their final hidden states go.
type seqChunk struct {
	s      *State
	tokens []int
	out    []float32
}

// forwardSeqs runs the chunks of several sequences as one pass: their rows
// are stacked so every weight product runs once over all of them, while
// attention stays per sequence. Each row is computed exactly as it would be
// alone (norms per row, one FMA chain per product output), so a sequence's
// bits do not depend on what it is batched with. sc must hold the total
// rows; each chunk must fit its state's chunk size and context.
func (m *Model) forwardSeqs(sc *scratch, seqs []seqChunk) {
	c := m.Cfg
	D, hd := c.Dim, c.HeadDim()
	qd, kvd := c.Heads*hd, c.KVHeads*hd
	T := 0
	for _, q := range seqs {
		T += len(q.tokens)
	}
	x := sc.x[:T*D]
	r := 0
	for _, q := range seqs {
		for t, id := range q.tokens {
			row := x[r*D : r*D+D]
			copy(row, m.tokEmb[id*D:id*D+D])
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
			kernels.MatMul(qkv, 3*D, h, D, T, D, 3*D, ly.qkv, ly.qkvB)
			q, k, v, qs, ks = qkv, qkv[D:], qkv[2*D:], 3*D, 3*D
		} else {
			q, k, v = sc.q[:T*qd], sc.k[:T*kvd], sc.v[:T*kvd]
			kernels.MatMul(q, qd, h, D, T, D, qd, ly.q, nil)
			kernels.MatMul(k, kvd, h, D, T, D, kvd, ly.k, nil)
			kernels.MatMul(v, kvd, h, D, T, D, kvd, ly.v, nil)
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
			sq.s.attention(l, q[r*qs:], qs, k[r*ks:], v[r*ks:], ks, n, att[r*qd:])
			r += n
		}
		// x += att . Wo (+ bias)
		kernels.MatMul(tmp, D, att, qd, T, qd, D, ly.o, ly.oB)
		kernels.Add(x, tmp)
		m.norm(h, x, ly.norm2W, ly.norm2B, T)
		ff := sc.ff[:T*c.FF]
		if c.Arch == "gpt2" {
			kernels.MatMul(ff, c.FF, h, D, T, D, c.FF, ly.up, ly.upB)
			kernels.GELU(ff)
		} else {
			ff2 := sc.ff2[:T*c.FF]
			kernels.MatMul(ff, c.FF, h, D, T, D, c.FF, ly.gate, nil)
			kernels.MatMul(ff2, c.FF, h, D, T, D, c.FF, ly.up, nil)
			kernels.SiLUMul(ff, ff2)
		}
		kernels.MatMul(tmp, D, ff, c.FF, T, c.FF, D, ly.down, ly.downB)
		kernels.Add(x, tmp)
	}
	r = 0
	for _, q := range seqs {
		n := len(q.tokens)
		m.norm(q.out, x[r*D:], m.normW, m.normB, n)
		q.s.pos += n
		r += n
	}
}

func (m *Model) norm(dst, x, w, b []float32, T int) {
	D := m.Cfg.Dim
	for t := 0; t < T; t++ {
		if b != nil {
			kernels.LayerNorm(dst[t*D:t*D+D], x[t*D:t*D+D], w, b, m.Cfg.Eps)
		} else {
			kernels.RMSNorm(dst[t*D:t*D+D], x[t*D:t*D+D], w, m.Cfg.Eps)
		}
	}
}

// attRows is the query rows one attention task handles: its scores
// (attRows x keys) stay in L2, and the causal mask lets it stop at the
// keys its last row sees.
const attRows = 64

// attention appends this chunk's keys and values to layer l's cache and
// writes softmax(q.k^T * scale) . v for every head into att (row stride
// Heads*HeadDim). The work is split into (head, row block) tasks run on
// up to GOMAXPROCS goroutines; each output row is computed the same way
// whichever task or thread computes it.
func (s *State) attention(l int, q []float32, qs int, k, v []float32, ks int, T int, att []float32) {
	c := s.m.Cfg
	hd := c.HeadDim()
	for t := 0; t < T; t++ {
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
	blocks := (T + attRows - 1) / attRows
	tasks := c.Heads * blocks
	workers := min(tasks, kernels.Workers(T*(s.pos+T)*hd*c.Heads))
	if need := workers * min(attRows, T) * s.cap; len(s.scores) < need {
		s.scores = make([]float32, need)
	}
	// Later row blocks see more keys; hand them out first.
	task := func(w, i int) {
		h, b := i/blocks, blocks-1-i%blocks
		r0 := b * attRows
		sc := s.scores[w*min(attRows, T)*s.cap:]
		s.attBlock(l, h, r0, min(r0+attRows, T), q, qs, att, sc)
	}
	if workers == 1 {
		for i := 0; i < tasks; i++ {
			task(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= tasks {
					return
				}
				task(w, i)
			}
		}()
	}
	wg.Wait()
}

// attBlock computes head h for query rows r0..r1 of the chunk.
func (s *State) attBlock(l, h, r0, r1 int, q []float32, qs int, att, sc []float32) {
	c := s.m.Cfg
	hd := c.HeadDim()
	qd := c.Heads * hd
	g := h / (c.Heads / c.KVHeads)
	scale := 1 / kernels.Sqrt32(float32(hd))
	rows := r1 - r0
	n := s.pos + r1 // keys visible to the block's last row
	sc = sc[:rows*n]
	kernels.MatMulSerial(sc, n, q[r0*qs+h*hd:], qs, rows, hd, n, s.kc[l][g], nil)
	for t := 0; t < rows; t++ {
		row := sc[t*n : t*n+n]
		valid := s.pos + r0 + t + 1
		kernels.Scale(row[:valid], scale)
		kernels.SoftmaxInPlace(row[:valid])
		clear(row[valid:])
	}
	kernels.MatMulSerial(att[r0*qd+h*hd:], qd, sc, n, rows, n, hd, s.vc[l][g], nil)
}
