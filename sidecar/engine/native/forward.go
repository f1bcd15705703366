package native

import (
	"fmt"

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
	m, c := s.m, s.m.Cfg
	T, D, hd := len(tokens), c.Dim, c.HeadDim()
	x := s.x[:T*D]
	for t, id := range tokens {
		copy(x[t*D:t*D+D], m.tokEmb[id*D:id*D+D])
		if c.Arch == "gpt2" {
			kernels.Add(x[t*D:t*D+D], m.posEmb[(s.pos+t)*D:(s.pos+t)*D+D])
		}
	}
	for l := range m.layers {
		ly := &m.layers[l]
		h := s.h[:T*D]
		s.norm(h, x, ly.norm1W, ly.norm1B, T)
		var q, k, v []float32
		var qs, ks int // row strides
		if c.Arch == "gpt2" {
			qkv := s.q[:T*3*D]
			kernels.MatMul(qkv, 3*D, h, D, T, D, 3*D, ly.qkv, ly.qkvB)
			q, k, v, qs, ks = qkv, qkv[D:], qkv[2*D:], 3*D, 3*D
		} else {
			qd, kvd := c.Heads*hd, c.KVHeads*hd
			q, k, v = s.q[:T*qd], s.k[:T*kvd], s.v[:T*kvd]
			kernels.MatMul(q, qd, h, D, T, D, qd, ly.q, nil)
			kernels.MatMul(k, kvd, h, D, T, D, kvd, ly.k, nil)
			kernels.MatMul(v, kvd, h, D, T, D, kvd, ly.v, nil)
			for t := 0; t < T; t++ {
				m.applyRope(q[t*qd:t*qd+qd], c.Heads, hd, s.pos+t)
				m.applyRope(k[t*kvd:t*kvd+kvd], c.KVHeads, hd, s.pos+t)
			}
			qs, ks = qd, kvd
		}
		s.attention(l, q, qs, k, v, ks, T)
		// x += att . Wo (+ bias)
		tmp := s.tmp[:T*D]
		kernels.MatMul(tmp, D, s.att, c.Heads*hd, T, c.Heads*hd, D, ly.o, ly.oB)
		kernels.Add(x, tmp)
		s.norm(h, x, ly.norm2W, ly.norm2B, T)
		ff := s.ff[:T*c.FF]
		if c.Arch == "gpt2" {
			kernels.MatMul(ff, c.FF, h, D, T, D, c.FF, ly.up, ly.upB)
			kernels.GELU(ff)
		} else {
			ff2 := s.ff2[:T*c.FF]
			kernels.MatMul(ff, c.FF, h, D, T, D, c.FF, ly.gate, nil)
			kernels.MatMul(ff2, c.FF, h, D, T, D, c.FF, ly.up, nil)
			kernels.SiLUMul(ff, ff2)
		}
		kernels.MatMul(tmp, D, ff, c.FF, T, c.FF, D, ly.down, ly.downB)
		kernels.Add(x, tmp)
	}
	s.norm(out, x, m.normW, m.normB, T)
	s.pos += T
}

func (s *State) norm(dst, x, w, b []float32, T int) {
	D := s.m.Cfg.Dim
	for t := 0; t < T; t++ {
		if b != nil {
			kernels.LayerNorm(dst[t*D:t*D+D], x[t*D:t*D+D], w, b, s.m.Cfg.Eps)
		} else {
			kernels.RMSNorm(dst[t*D:t*D+D], x[t*D:t*D+D], w, s.m.Cfg.Eps)
		}
	}
}

// attention appends this chunk's keys and values to layer l's cache and
// writes softmax(q.k^T * scale) . v for every head into s.att.
func (s *State) attention(l int, q []float32, qs int, k, v []float32, ks int, T int) {
	c := s.m.Cfg
	hd := c.HeadDim()
	for t := 0; t < T; t++ {
		for g := 0; g < c.KVHeads; g++ {
			kp, vp := s.kc[l][g], s.vc[l][g]
			kr := k[t*ks+g*hd : t*ks+g*hd+hd]
			vr := v[t*ks+g*hd : t*ks+g*hd+hd]
			for d := 0; d < hd; d++ {
				kp.Set(d, s.pos+t, kr[d])
				vp.Set(s.pos+t, d, vr[d])
			}
		}
	}
	n := s.pos + T // keys visible to the last row
	scale := 1 / kernels.Sqrt32(float32(hd))
	group := c.Heads / c.KVHeads
	qd := c.Heads * hd
	sc := s.scores[:T*n]
	for h := 0; h < c.Heads; h++ {
		g := h / group
		kernels.MatMul(sc, n, q[h*hd:], qs, T, hd, n, s.kc[l][g], nil)
		for t := 0; t < T; t++ {
			row := sc[t*n : t*n+n]
			valid := s.pos + t + 1
			for i := 0; i < valid; i++ {
				row[i] = float32(row[i] * scale)
			}
			kernels.SoftmaxInPlace(row[:valid])
			clear(row[valid:])
		}
		kernels.MatMul(s.att[h*hd:], qd, sc, n, T, n, hd, s.vc[l][g], nil)
	}
}
