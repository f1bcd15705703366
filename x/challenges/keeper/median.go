package keeper

import (
	"sort"

	sdkmath "cosmossdk.io/math"
)

// Vote is one evaluator's score for one miner, weighted by its bonded tokens.
type Vote struct {
	ScoreBps uint32
	Stake    sdkmath.Int
}

// WeightedMedian is the lower stake-weighted median: sort the votes by score, and return
// the first score at which the cumulative stake reaches half the total (2·cum ≥ total).
// Votes with no stake are ignored; with no stake at all it returns 0 and false. Any set
// of evaluators holding less than half the stake can move it only within the range of
// the other evaluators' scores.
func WeightedMedian(votes []Vote) (uint32, bool) {
	vs := make([]Vote, 0, len(votes))
	total := sdkmath.ZeroInt()
	for _, v := range votes {
		if v.Stake.IsNil() || !v.Stake.IsPositive() {
			continue
		}
		vs = append(vs, v)
		total = total.Add(v.Stake)
	}
	if len(vs) == 0 {
		return 0, false
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].ScoreBps < vs[j].ScoreBps })
	cum := sdkmath.ZeroInt()
	for _, v := range vs {
		cum = cum.Add(v.Stake)
		if cum.MulRaw(2).GTE(total) {
			return v.ScoreBps, true
		}
	}
	return vs[len(vs)-1].ScoreBps, true // unreachable
}
