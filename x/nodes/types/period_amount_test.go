package types_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/nodes/types"
)

func TestMonthIs30Days(t *testing.T) {
	require.Equal(t, uint64(2_592_000), types.MonthSeconds)
	require.Equal(t, uint64(43_200), types.MonthSeconds/types.PeriodSeconds(time.Minute), "a minute is 1/43,200 of a month")
	require.Equal(t, uint64(60), types.PeriodSeconds(time.Minute))
	require.Equal(t, uint64(1), types.PeriodSeconds(1500*time.Millisecond), "sub-second rest dropped")
	require.Equal(t, uint64(0), types.PeriodSeconds(-time.Second))
	require.Equal(t, types.MonthSeconds, types.PeriodSeconds(30*24*time.Hour))
}

// TestPeriodAmountCarriesWithoutDrift: the node (tier 0-3 at level 3, 2 roles,
// 3 new nodes: 30.5 COR a month) paid over one-minute periods gets 706 ucor in the first
// (30,500,000 × 60 / 2,592,000 = 706.018...), carries the rest, and after 43,200 periods
// has received exactly 30.5 COR.
func TestPeriodAmountCarriesWithoutDrift(t *testing.T) {
	monthly := sdkmath.NewInt(30_500_000)
	amount, carry := types.PeriodAmount(monthly, 60, 0)
	require.Equal(t, int64(706), amount.Int64())
	require.Equal(t, uint64(48_000), carry, "30,500,000 × 60 − 706 × 2,592,000")

	for _, period := range []uint64{60, 3_600, 86_400, 432_000} {
		total, carry := sdkmath.ZeroInt(), uint64(0)
		for range types.MonthSeconds / period {
			var a sdkmath.Int
			a, carry = types.PeriodAmount(monthly, period, carry)
			total = total.Add(a)
		}
		require.Equal(t, monthly, total, "a month of %d-second periods", period)
		require.Zero(t, carry)
	}
	// a 30-day period pays the month; a 60-day one two months
	a, c := types.PeriodAmount(monthly, types.MonthSeconds, 0)
	require.Equal(t, monthly, a)
	require.Zero(t, c)
	a, _ = types.PeriodAmount(monthly, 2*types.MonthSeconds, 0)
	require.Equal(t, monthly.MulRaw(2), a)
	// flooring without the carry would lose 800 ucor of this month at one-minute periods
	require.Equal(t, int64(800), monthly.Int64()-706*43_200)
}

func TestJoinPeriodAmountIsProRata(t *testing.T) {
	monthly := sdkmath.NewInt(25_000_000)
	// a month-long period, registered for the last 1/30 of its blocks: one day's pay
	require.Equal(t, int64(833_333), types.JoinPeriodAmount(monthly, types.MonthSeconds, 100, 3_000).Int64())
	// one-minute period, half of it: floor(25,000,000 × 60 × 30 / (2,592,000 × 60)) = 289
	require.Equal(t, int64(289), types.JoinPeriodAmount(monthly, 60, 30, 60).Int64())
	require.Equal(t, monthly, types.JoinPeriodAmount(monthly, types.MonthSeconds, 70, 60), "clamped to the period")
	require.True(t, types.JoinPeriodAmount(monthly, 60, 0, 60).IsZero())
	require.True(t, types.JoinPeriodAmount(monthly, 60, 5, 0).IsZero(), "an empty period pays nothing")
}
