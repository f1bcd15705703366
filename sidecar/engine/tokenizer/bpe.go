package tokenizer

import "container/heap"

// heapMinSymbols: words with more symbols than this merge through a
// priority queue (O(n log n)); shorter ones use the quadratic scan, which
// is faster for the short words a regex pre-tokenizer produces. Files
// without a pre-tokenizer (Llama 2's SentencePiece layout) give one word
// per stretch of text, which can be a whole document.
const heapMinSymbols = 48

type cand struct {
	rank, pos int32
	a, b, id  int32
}

type candHeap []cand

func (h candHeap) Len() int { return len(h) }
func (h candHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}
func (h candHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)   { *h = append(*h, x.(cand)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeHeap applies the merges by rank, ties to the left, exactly like the
// repeated lowest-rank scan, using a linked list of symbols and a heap of
// candidate pairs that are checked again when popped.
func (t *Tokenizer) mergeHeap(syms []int32) []int32 {
	n := len(syms)
	next := make([]int32, n)
	prev := make([]int32, n)
	alive := make([]bool, n)
	for i := range syms {
		next[i], prev[i], alive[i] = int32(i+1), int32(i-1), true
	}
	next[n-1] = -1
	h := make(candHeap, 0, n)
	push := func(i int32) {
		if i < 0 || next[i] < 0 {
			return
		}
		j := next[i]
		if m, ok := t.merges[[2]int32{syms[i], syms[j]}]; ok {
			heap.Push(&h, cand{rank: m.rank, pos: i, a: syms[i], b: syms[j], id: m.id})
		}
	}
	for i := 0; i+1 < n; i++ {
		push(int32(i))
	}
	for h.Len() > 0 {
		c := heap.Pop(&h).(cand)
		i := c.pos
		if !alive[i] || syms[i] != c.a {
			continue
		}
		j := next[i]
		if j < 0 || syms[j] != c.b {
			continue
		}
		syms[i] = c.id
		alive[j] = false
		next[i] = next[j]
		if next[j] >= 0 {
			prev[next[j]] = i
		}
		if prev[i] >= 0 {
			push(prev[i])
		}
		push(i)
	}
	out := syms[:0]
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}
