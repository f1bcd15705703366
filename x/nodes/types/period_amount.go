package types

import (
	"math/big"
	"time"

	sdkmath "cosmossdk.io/math"
)

// MonthSeconds is the month the reward amounts are stated for: exactly 30 days of
// 86,400 s = 2,592,000 s (no calendar months, no leap seconds). A one-minute period is
// 1/43,200 of it, an hour 1/720, a day 1/30, a 30-day epoch exactly one month.
const MonthSeconds uint64 = 30 * 24 * 60 * 60

// PeriodSeconds turns a reward epoch's duration into whole seconds (a sub-second rest is
// dropped; reward epochs are whole minutes, hours or days). A negative duration is 0.
func PeriodSeconds(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64(d / time.Second)
}

// PeriodAmount is what a node earns for a full period of periodSeconds at a monthly
// rate, with the remainder carried so that nothing drifts:
//
//	n      = monthly × period_seconds + carry
//	amount = n / MonthSeconds          (integer division)
//	carry' = n mod MonthSeconds        (< MonthSeconds, kept on the node)
//
// Over periods that add up to a month at a constant rate the amounts add up to the
// monthly amount exactly (e.g. 43,200 one-minute periods). The arithmetic is on big
// integers: no product can overflow, and the result is at most monthly × period_seconds
// / MonthSeconds + 1.
func PeriodAmount(monthly sdkmath.Int, periodSeconds, carry uint64) (sdkmath.Int, uint64) {
	if carry >= MonthSeconds { // never stored (genesis validation); keep the invariant anyway
		carry %= MonthSeconds
	}
	n := new(big.Int).Mul(monthly.BigInt(), new(big.Int).SetUint64(periodSeconds))
	n.Add(n, new(big.Int).SetUint64(carry))
	q, m := new(big.Int).QuoRem(n, new(big.Int).SetUint64(MonthSeconds), new(big.Int))
	return sdkmath.NewIntFromBigInt(q), m.Uint64()
}

// JoinPeriodAmount is what a node earns for the period it registered in: the full
// period's amount pro rata to the blocks it was registered,
//
//	amount = floor(monthly × period_seconds × active_blocks / (MonthSeconds × period_blocks))
//
// with no carry (the rest, under one denom unit, is dropped once per node). Registering
// just before a period ends therefore earns only the blocks registered, not a full
// period. activeBlocks is clamped to [0, periodBlocks]; periodBlocks <= 0 earns nothing.
func JoinPeriodAmount(monthly sdkmath.Int, periodSeconds uint64, activeBlocks, periodBlocks int64) sdkmath.Int {
	if periodBlocks <= 0 || activeBlocks <= 0 {
		return sdkmath.ZeroInt()
	}
	activeBlocks = min(activeBlocks, periodBlocks)
	n := new(big.Int).Mul(monthly.BigInt(), new(big.Int).SetUint64(periodSeconds))
	n.Mul(n, big.NewInt(activeBlocks))
	d := new(big.Int).Mul(new(big.Int).SetUint64(MonthSeconds), big.NewInt(periodBlocks))
	return sdkmath.NewIntFromBigInt(n.Quo(n, d))
}
