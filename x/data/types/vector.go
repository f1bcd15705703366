package types

import (
	"math/big"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/internal/embedding"
	"github.com/cortnet/cortd/x/internal/seed"
)

// Seed is sha256(prev block header hash ‖ SeedDomain ‖ counter as 8 big-endian bytes),
// the DESIGN rule (seed.FromBlock); the counter is the target id, so every target has its
// own seed.
func Seed(prevBlockHash []byte, counter uint64) []byte {
	s := seed.FromBlock(prevBlockHash, SeedDomain, counter)
	return s[:]
}

// Stream is a seed's deterministic byte stream: sha256(seed ‖ block index) (seed.Stream).
type Stream = seed.Stream

// NewStream returns the deterministic stream of a seed.
func NewStream(s []byte) *Stream { return seed.NewStream(s) }

// Centre draws a normalised integer vector of dim components from the seed. Each raw
// component is the sum of four uniform 16-bit draws, centred (Irwin–Hall: close to a
// normal, so the direction is close to uniform on the sphere without floats). The vector
// is scaled to norm 10^6 with an integer square root and rounding: comp = round(v·10^6/‖v‖).
// Rounding moves Σx² from 10^12 by at most Σ|x_i| ≤ √dim·10^6 (relative ≤ 9·10^-5 at 8192
// dims), inside the default norm tolerance of 10^-3.
func Centre(targetSeed []byte, dim uint32) []int32 {
	s := NewStream(targetSeed)
	raw := make([]int64, dim)
	var sq int64 // each |v| ≤ 2^17, v² ≤ 2^34, dim ≤ 8192 = 2^13: Σ ≤ 2^47
	for i := range raw {
		var v int64
		for range 4 {
			v += int64(s.Uint16())
		}
		v -= 2 * 65535 // centre: sum of 4 in [0, 4·65535]
		raw[i] = v
		sq += v * v
	}
	if sq == 0 { // astronomically unlikely; keep the output normalised anyway
		raw[0], sq = 1, 1
	}
	// normE6 = ⌊‖v‖ · 10^6⌋: the extra 10^6 keeps the floor's relative error ~10^-11, so
	// only the final rounding (±0.5 per component) moves Σx² off 10^12.
	sqE12 := new(big.Int).Mul(big.NewInt(sq), big.NewInt(embedding.ScaleSq))
	normE6 := new(big.Int).Sqrt(sqE12).Int64() // ≤ 2^44
	out := make([]int32, dim)
	for i, v := range raw {
		// comp = round(v·10^12 / normE6), half away from zero; |v·10^12| ≤ 2^57
		num := v * embedding.ScaleSq
		q := num / normE6
		r := num % normE6
		if 2*abs(r) >= normE6 {
			if num < 0 {
				q--
			} else {
				q++
			}
		}
		out[i] = int32(q)
	}
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// WithinThreshold reports √distSq ≤ threshold × 10^6 exactly (embedding.WithinDistance:
// distSq·10^24 ≤ T_raw² with T_raw = threshold × 10^18, in big.Int).
func WithinThreshold(distSq int64, threshold sdkmath.LegacyDec) bool {
	return embedding.WithinDistance(distSq, threshold)
}

// NextThreshold moves the threshold toward the target fill rate by a bounded
// multiplicative step: factor = 1 + step × (target − rate), rate = filled/opened, so the
// factor lies in [1 − step, 1 + step]; too few fills widen the threshold, too many narrow
// it. The result is clamped to [min, max]. With no target opened it is unchanged.
func NextThreshold(p Params, cur sdkmath.LegacyDec, opened, filled uint32) sdkmath.LegacyDec {
	if opened == 0 {
		return cur
	}
	rate := sdkmath.LegacyNewDec(int64(filled)).QuoInt64(int64(opened))
	factor := sdkmath.LegacyOneDec().Add(p.MaxThresholdStep.Mul(p.TargetFillRate.Sub(rate)))
	next := cur.Mul(factor)
	if next.LT(p.MinThreshold) {
		next = p.MinThreshold
	}
	if next.GT(p.MaxThreshold) {
		next = p.MaxThreshold
	}
	return next
}
