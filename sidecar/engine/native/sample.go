package native

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// sampler draws tokens from logit rows the way generation does. Generator
// and Replay both call it, so an audit re-runs exactly the generator's
// draws: argmax (lowest id on ties) at temperature 0, else
// softmax(logits/T) over the ids sorted by (probability desc, id asc), cut
// to the first top_k and then to the shortest prefix whose float64 sum
// reaches top_p, and one PCG Float64 per token scaled by that prefix's sum.
type sampler struct {
	p     engine.Params
	vocab int // ids >= vocab are never drawn (the tokenizer cannot decode them)
	rng   *rand.Rand
	// Scratch of the ordering (kept so a decode step allocates nothing).
	keys, keys2 []uint32
	ids, ids2   []int32
	top         topHeap
}

// samplerStream is the PCG stream constant: PCG is specified bit for bit,
// so a seed gives the same draws everywhere.
const samplerStream = 0x636f7274642d7631

func newSampler(p engine.Params, vocab int) *sampler {
	return &sampler{p: p, vocab: vocab, rng: rand.New(rand.NewPCG(p.Seed, samplerStream))}
}

// checkParams refuses sampling params generation cannot honour.
func checkParams(p engine.Params) error {
	if p.Temperature < 0 || p.TopP < 0 || p.TopP > 1 || p.TopK < 0 || p.MaxTokens < 0 ||
		math.IsNaN(p.Temperature) || math.IsInf(p.Temperature, 0) || math.IsNaN(p.TopP) {
		return fmt.Errorf("%w: temperature, top_p, top_k and max_tokens must be non-negative (top_p <= 1)", engine.ErrBadRequest)
	}
	return nil
}

// draw picks the next token from a logits row (at least vocab long). At
// temperature > 0 the row's first vocab entries are replaced by the
// sampling probabilities (prepare).
func (s *sampler) draw(logits []float32) int {
	if s.p.Temperature == 0 {
		return argmax(logits[:s.vocab])
	}
	return s.pick(s.prepare(logits))
}

// argmax returns the first index of the largest value.
func argmax(lg []float32) int {
	best := 0
	for i, v := range lg {
		if v > lg[best] {
			best = i
		}
	}
	return best
}

// prepare turns the row's first vocab logits into softmax(logits/T) in
// place and returns them (temperature > 0 only).
func (s *sampler) prepare(logits []float32) []float32 {
	lg := logits[:s.vocab]
	inv := float32(1 / s.p.Temperature)
	for i := range lg {
		lg[i] = float32(lg[i] * inv)
	}
	kernels.SoftmaxInPlace(lg)
	return lg
}

// pick draws from probabilities (prepare's output) with one Float64 of the
// seeded stream.
func (s *sampler) pick(probs []float32) int {
	n := len(probs)
	if s.p.TopK > 0 && s.p.TopK < n {
		n = s.p.TopK
	}
	order := s.topOrder(probs, n)
	var total float64
	for i := 0; i < n; i++ {
		total += float64(probs[order[i]])
		if s.p.TopP > 0 && s.p.TopP < 1 && total >= s.p.TopP {
			n = i + 1
			break
		}
	}
	u := s.rng.Float64() * total
	var acc float64
	for i := 0; i < n; i++ {
		acc += float64(probs[order[i]])
		if u < acc {
			return int(order[i])
		}
	}
	return int(order[n-1])
}

// topOrder returns (at least) the first n ids of probs in the order
// (probability desc, id asc). That order is total, so any exact method
// gives the same prefix as a full comparison sort; a few hundred ids come
// from a bounded heap, more from a radix sort of the probability bits
// (non-negative floats order as their bit patterns), both O(vocab) rather
// than the O(vocab log vocab) of a comparison sort per token.
func (s *sampler) topOrder(probs []float32, n int) []int32 {
	if n <= topHeapMax && n*8 <= len(probs) {
		return s.heapTop(probs, n)
	}
	return s.radixOrder(probs)
}

// topHeapMax is the largest top-k selected with a heap.
const topHeapMax = 512

// rankKey orders ids as the sampler ranks them: larger key first, i.e.
// higher probability, then lower id.
func rankKey(p float32, id int) uint64 {
	return uint64(math.Float32bits(p))<<32 | uint64(^uint32(id))
}

// topHeap is a min-heap of rank keys: the worst kept id at the root.
type topHeap []uint64

func (h topHeap) Len() int           { return len(h) }
func (h topHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h topHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(x any)        { *h = append(*h, x.(uint64)) }
func (h *topHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (s *sampler) heapTop(probs []float32, n int) []int32 {
	h := s.top[:0]
	for i := 0; i < n; i++ {
		h = append(h, rankKey(probs[i], i))
	}
	s.top = h
	heap.Init(&s.top)
	for i := n; i < len(probs); i++ {
		if k := rankKey(probs[i], i); k > s.top[0] {
			s.top[0] = k
			heap.Fix(&s.top, 0)
		}
	}
	slices.Sort(s.top)
	if cap(s.ids) < n {
		s.ids = make([]int32, n)
	}
	out := s.ids[:n]
	for i, k := range s.top { // ascending keys: the best is last
		out[n-1-i] = int32(^uint32(k))
	}
	return out
}

// radixBits is the digit width of the radix sort (3 passes over 32 bits).
const radixBits = 11

// radixOrder sorts every id by (probability desc, id asc): an LSD radix
// sort on the complemented probability bits, stable, starting from
// ascending ids, so equal probabilities keep ascending ids.
func (s *sampler) radixOrder(probs []float32) []int32 {
	n := len(probs)
	if cap(s.keys) < n {
		s.keys, s.keys2 = make([]uint32, n), make([]uint32, n)
		s.ids, s.ids2 = make([]int32, n), make([]int32, n)
	}
	keys, keys2, ids, ids2 := s.keys[:n], s.keys2[:n], s.ids[:n], s.ids2[:n]
	const buckets = 1 << radixBits
	var counts [3][buckets]int32
	for i, p := range probs {
		k := ^math.Float32bits(p)
		keys[i], ids[i] = k, int32(i)
		counts[0][k&(buckets-1)]++
		counts[1][(k>>radixBits)&(buckets-1)]++
		counts[2][k>>(2*radixBits)]++
	}
	for d := 0; d < 3; d++ {
		c := &counts[d]
		shift := uint(d * radixBits)
		if c[(keys[0]>>shift)&(buckets-1)] == int32(n) {
			continue // every key has this digit: the pass would not move anything
		}
		var sum int32
		for b := range c {
			sum, c[b] = sum+c[b], sum
		}
		for i, k := range keys {
			b := (k >> shift) & (buckets - 1)
			j := c[b]
			c[b]++
			keys2[j], ids2[j] = k, ids[i]
		}
		keys, keys2 = keys2, keys
		ids, ids2 = ids2, ids
	}
	// The buffers may have swapped roles; keep them for the next call.
	s.keys, s.keys2, s.ids, s.ids2 = keys, keys2, ids, ids2
	return ids
}
