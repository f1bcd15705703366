package native

import (
	"fmt"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// maxChunk is the most tokens one forward call processes at once; longer
// prompts run in chunks (the bits do not depend on the chunking, because
// every row of every product is computed the same way).
const maxChunk = 1024

// State is one sequence: its KV cache and scratch buffers, all allocated up
// front so generating a token allocates nothing.
type State struct {
	m   *Model
	pos int // tokens already in the cache
	cap int
	// Per layer and KV head: keys as a hd x cap panel matrix (so q.k is a
	// product with ascending-k FMA like every other), values as cap x hd.
	kc, vc [][]kernels.Panels
	// Row scratch for chunk rows, allocated on the first Forward (states
	// used only by batches never need it).
	sc    *scratch
	chunk int
}

// scratch is the per-row working memory of a forward pass over some rows
// (one sequence's chunk, or the rows of a batch of sequences).
type scratch struct {
	rows                             int
	x, h, q, k, v, att, tmp, ff, ff2 []float32
	// Attention: scores (attRows x keys per thread) and the pass's tasks.
	scores     []float32
	tasks      []attTask
	maxKeys    int
	attWorkers int
	// Reused per pass so a decode step allocates nothing: the products
	// of one hand-off, and a single sequence's chunk.
	prods [3]kernels.Product
	seq   [1]seqChunk
}

func newScratch(c *Config, rows int) *scratch {
	hd := c.HeadDim()
	D, qd, kvd := c.Dim, c.Heads*hd, c.KVHeads*hd
	T := rows
	s := &scratch{rows: rows}
	s.x = make([]float32, T*D)
	s.h = make([]float32, T*D)
	s.tmp = make([]float32, T*D)
	if c.Arch == "gpt2" {
		s.q = make([]float32, T*3*D) // fused qkv rows
	} else {
		s.q = make([]float32, T*qd)
		s.k = make([]float32, T*kvd)
		s.v = make([]float32, T*kvd)
	}
	s.att = make([]float32, T*qd)
	s.ff = make([]float32, T*c.FF)
	if c.Arch == "llama" {
		s.ff2 = make([]float32, T*c.FF)
	}
	return s
}

// NewState allocates a sequence able to hold capacity tokens.
func (m *Model) NewState(capacity int) (*State, error) {
	c := m.Cfg
	if capacity <= 0 || capacity > c.MaxPos {
		return nil, fmt.Errorf("context of %d tokens exceeds the model's %d", capacity, c.MaxPos)
	}
	hd := c.HeadDim()
	s := &State{m: m, cap: capacity}
	s.kc = make([][]kernels.Panels, c.Layers)
	s.vc = make([][]kernels.Panels, c.Layers)
	for l := range s.kc {
		s.kc[l] = make([]kernels.Panels, c.KVHeads)
		s.vc[l] = make([]kernels.Panels, c.KVHeads)
		for h := range s.kc[l] {
			s.kc[l][h] = kernels.NewPanels(hd, capacity)
			s.vc[l][h] = kernels.NewPanels(capacity, hd)
		}
	}
	T := min(maxChunk, capacity)
	s.chunk = T
	return s, nil
}

// Reset empties the cache so the state can serve another sequence.
func (s *State) Reset() { s.pos = 0 }

// Pos is the number of tokens in the cache.
func (s *State) Pos() int { return s.pos }

// Truncate drops the cached tokens from position pos on, so the sequence
// can continue differently from there (Replay's roll-back after a
// divergence). The stale keys and values past pos are never read: a pass
// stores its own rows before attention reads them.
func (s *State) Truncate(pos int) {
	if pos >= 0 && pos < s.pos {
		s.pos = pos
	}
}
