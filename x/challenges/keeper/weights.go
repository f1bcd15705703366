package keeper

import (
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/types"
)

// Totals is one miner's scored answers over the window: Count answers, SumBps the sum of
// their scores in basis points.
type Totals struct {
	NodeID string
	SumBps uint64
	Count  uint64
}

var bpsDen = sdkmath.NewInt(types.MaxBasisPoints)

// ComputeWeights turns per-miner totals (any order; node ids unique, Count ≥ 1) into
// Bayesian scores and weights, in the input order:
//
//	m = S / (10000·T)              global mean (S = Σ sum, T = Σ count, N miners)
//	C = max(T / N, cFloor)          the prior's weight
//	bayes_i = (n_i·avg_i + C·m) / (n_i + C) = (sum_i·T + C·S) / (10000·T·(n_i + C))
//	w_i = bayes_i^k / Σ bayes_j^k   (truncated; the remainder goes to the largest weight,
//	                                 ties to the smallest node id, so Σ w_i = 1 exactly)
//
// C is kept as the exact fraction cNum/cDen (T/N, or the floor over 10^18), so bayes_i
// is one rounded LegacyDec division. If every bayes is 0 the weights are equal.
func ComputeWeights(totals []Totals, cFloor sdkmath.LegacyDec, k uint32) []types.Weight {
	if len(totals) == 0 {
		return nil
	}
	var S, T uint64
	for _, t := range totals {
		S += t.SumBps
		T += t.Count
	}
	pr := newPrior(S, T, uint64(len(totals)), cFloor)
	out := make([]types.Weight, len(totals))
	raw := make([]sdkmath.LegacyDec, len(totals))
	sum := sdkmath.LegacyZeroDec()
	for i, t := range totals {
		out[i] = pr.bayes(t)
		raw[i] = out[i].Bayesian.Power(uint64(k))
		sum = sum.Add(raw[i])
	}
	N := sdkmath.NewInt(int64(len(totals)))
	total := sdkmath.LegacyZeroDec()
	best := 0
	for i := range out {
		if sum.IsPositive() {
			out[i].Weight = raw[i].QuoTruncate(sum)
		} else {
			out[i].Weight = sdkmath.LegacyOneDec().QuoTruncate(sdkmath.LegacyNewDecFromInt(N))
		}
		total = total.Add(out[i].Weight)
		if out[i].Weight.GT(out[best].Weight) || (out[i].Weight.Equal(out[best].Weight) && out[i].NodeId < out[best].NodeId) {
			best = i
		}
	}
	out[best].Weight = out[best].Weight.Add(sdkmath.LegacyOneDec().Sub(total))
	return out
}

// prior holds what every miner's Bayesian score shares: S, T and C = cNum/cDen.
type prior struct {
	S, T, cNum, cDen sdkmath.Int
}

// newPrior computes C = T/N, or the floor when T/N is below it, as an exact fraction.
func newPrior(S, T, N uint64, cFloor sdkmath.LegacyDec) prior {
	p := prior{S: sdkmath.NewIntFromUint64(S), T: sdkmath.NewIntFromUint64(T)}
	n := sdkmath.NewIntFromUint64(N)
	p.cNum, p.cDen = p.T, n
	if sdkmath.LegacyNewDecFromInt(p.T).Quo(sdkmath.LegacyNewDecFromInt(n)).LT(cFloor) {
		p.cNum, p.cDen = sdkmath.NewIntFromBigInt(cFloor.BigInt()), sdkmath.NewIntFromBigInt(sdkmath.LegacyOneDec().BigInt())
	}
	return p
}

// bayes is one miner's weight record without its weight: n, avg and the Bayesian score
// (sum_i·T + C·S) / (10000·T·(n_i + C)), one rounded division.
func (p prior) bayes(t Totals) types.Weight {
	n := sdkmath.NewIntFromUint64(t.Count)
	si := sdkmath.NewIntFromUint64(t.SumBps)
	num := si.Mul(p.T).Mul(p.cDen).Add(p.cNum.Mul(p.S))
	den := bpsDen.Mul(p.T).Mul(n.Mul(p.cDen).Add(p.cNum))
	bayes := sdkmath.LegacyZeroDec()
	if den.IsPositive() {
		bayes = sdkmath.LegacyNewDecFromInt(num).Quo(sdkmath.LegacyNewDecFromInt(den))
	}
	avg := sdkmath.LegacyZeroDec()
	if n.IsPositive() {
		avg = sdkmath.LegacyNewDecFromInt(si).Quo(sdkmath.LegacyNewDecFromInt(bpsDen.Mul(n)))
	}
	return types.Weight{NodeId: t.NodeID, N: t.Count, Avg: avg, Bayesian: bayes}
}
