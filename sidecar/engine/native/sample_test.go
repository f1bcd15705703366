package native

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine"
)

// refPick is the generator's sampler as it was written before the shared
// sampler (a full comparison sort per token): the sampler's ordering must
// reproduce its draws bit for bit, or seeded answers committed earlier
// would no longer replay.
func refPick(probs []float32, p engine.Params, rng *rand.Rand) int {
	order := make([]int32, len(probs))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(a, b int) bool {
		pa, pb := probs[order[a]], probs[order[b]]
		if pa != pb {
			return pa > pb
		}
		return order[a] < order[b]
	})
	n := len(order)
	if p.TopK > 0 && p.TopK < n {
		n = p.TopK
	}
	var total float64
	for i := 0; i < n; i++ {
		total += float64(probs[order[i]])
		if p.TopP > 0 && p.TopP < 1 && total >= p.TopP {
			n = i + 1
			break
		}
	}
	u := rng.Float64() * total
	var acc float64
	for i := 0; i < n; i++ {
		acc += float64(probs[order[i]])
		if u < acc {
			return int(order[i])
		}
	}
	return int(order[n-1])
}

// randomProbs is a softmax row with many exact ties (quantized logits) and
// a long tail, the cases where an ordering shortcut would slip.
func randomProbs(r *rand.Rand, n int, ties bool) []float32 {
	lg := make([]float32, n)
	for i := range lg {
		v := float32(r.NormFloat64() * 4)
		if ties {
			v = float32(math.Round(float64(v)))
		}
		lg[i] = v
	}
	s := newSampler(engine.Params{Temperature: 1}, n)
	return s.prepare(lg)
}

func TestSamplerMatchesSortReference(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	params := []engine.Params{
		{Temperature: 1, Seed: 1},
		{Temperature: 1, TopK: 1, Seed: 2},
		{Temperature: 1, TopK: 40, Seed: 3},
		{Temperature: 1, TopK: 600, Seed: 4},
		{Temperature: 1, TopP: 0.9, Seed: 5},
		{Temperature: 1, TopP: 0.3, TopK: 50, Seed: 6},
		{Temperature: 1, TopK: 5000, TopP: 0.95, Seed: 7},
	}
	for _, n := range []int{5, 257, 5000} {
		for _, ties := range []bool{false, true} {
			for _, p := range params {
				s := newSampler(p, n)
				ref := rand.New(rand.NewPCG(p.Seed, samplerStream))
				for trial := 0; trial < 30; trial++ {
					probs := randomProbs(r, n, ties)
					want := refPick(probs, p, ref)
					if got := s.pick(probs); got != want {
						t.Fatalf("n=%d ties=%v %+v trial %d: drew %d, sort reference %d", n, ties, p, trial, got, want)
					}
				}
			}
		}
	}
}

// TestSamplerOrderIsTotal: both orderings list ids by probability desc,
// ties by ascending id.
func TestSamplerOrderIsTotal(t *testing.T) {
	probs := []float32{0.1, 0.3, 0.1, 0.3, 0.2, 0, 0}
	want := []int32{1, 3, 4, 0, 2, 5, 6}
	s := newSampler(engine.Params{Temperature: 1}, len(probs))
	got := s.radixOrder(probs)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("radix order %v, want %v", got, want)
		}
	}
	big := make([]float32, 64)
	copy(big, probs)
	got = s.heapTop(big, 5)
	for i := 0; i < 5; i++ {
		if got[i] != want[i] {
			t.Fatalf("heap top %v, want %v", got[:5], want[:5])
		}
	}
}

func TestCheckParams(t *testing.T) {
	for _, p := range []engine.Params{
		{Temperature: -1}, {TopP: -0.1}, {TopP: 1.1}, {TopK: -1}, {MaxTokens: -1},
		{Temperature: math.NaN()}, {Temperature: math.Inf(1)}, {TopP: math.NaN()},
	} {
		if err := checkParams(p); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if err := checkParams(engine.Params{Temperature: 0.7, TopP: 1, TopK: 3, MaxTokens: 4}); err != nil {
		t.Fatal(err)
	}
}
