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
	N := sdkmath.NewInt(int64(len(totals)))
	S, T := sdkmath.ZeroInt(), sdkmath.ZeroInt()
	for _, t := range totals {
		S = S.Add(sdkmath.NewIntFromUint64(t.SumBps))
		T = T.Add(sdkmath.NewIntFromUint64(t.Count))
	}
	// C = T/N unless below the floor.
	cNum, cDen := T, N
	if sdkmath.LegacyNewDecFromInt(T).Quo(sdkmath.LegacyNewDecFromInt(N)).LT(cFloor) {
		cNum, cDen = sdkmath.NewIntFromBigInt(cFloor.BigInt()), sdkmath.NewIntFromBigInt(sdkmath.LegacyOneDec().BigInt())
	}
	out := make([]types.Weight, len(totals))
	raw := make([]sdkmath.LegacyDec, len(totals))
	sum := sdkmath.LegacyZeroDec()
	for i, t := range totals {
		n := sdkmath.NewIntFromUint64(t.Count)
		si := sdkmath.NewIntFromUint64(t.SumBps)
		num := si.Mul(T).Mul(cDen).Add(cNum.Mul(S))
		den := bpsDen.Mul(T).Mul(n.Mul(cDen).Add(cNum))
		bayes := sdkmath.LegacyZeroDec()
		if den.IsPositive() {
			bayes = sdkmath.LegacyNewDecFromInt(num).Quo(sdkmath.LegacyNewDecFromInt(den))
		}
		avg := sdkmath.LegacyZeroDec()
		if n.IsPositive() {
			avg = sdkmath.LegacyNewDecFromInt(si).Quo(sdkmath.LegacyNewDecFromInt(bpsDen.Mul(n)))
		}
		raw[i] = bayes.Power(uint64(k))
		sum = sum.Add(raw[i])
		out[i] = types.Weight{NodeId: t.NodeID, N: t.Count, Avg: avg, Bayesian: bayes}
	}
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
