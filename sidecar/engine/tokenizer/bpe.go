package tokenizer

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

func (h candHeap) less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}

func (h *candHeap) push(c cand) {
	*h = append(*h, c)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *candHeap) pop() cand {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && q.less(l, m) {
			m = l
		}
		if l+1 < n && q.less(l+1, m) {
			m = l + 1
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
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
			h.push(cand{rank: m.rank, pos: i, a: syms[i], b: syms[j], id: m.id})
		}
	}
	for i := 0; i+1 < n; i++ {
		push(int32(i))
	}
	for len(h) > 0 {
		c := h.pop()
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
