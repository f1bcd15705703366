package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A block's lag counts from its successor's time (the votes on it) to its arrival;
// the last block, whose successor was not seen, counts nowhere.
func TestBlockLagsCountFromTheVotes(t *testing.T) {
	t0 := time.Unix(1_000, 0)
	seen := map[int64]time.Time{10: t0.Add(1300 * time.Millisecond), 11: t0.Add(2500 * time.Millisecond), 12: t0.Add(3 * time.Second)}
	header := map[int64]time.Time{10: t0, 11: t0.Add(time.Second), 12: t0.Add(2100 * time.Millisecond)}
	lags := blockLags(seen, header)
	require.Len(t, lags, 2)
	require.InDeltaSlice(t, []float64{0.3, 0.4}, lags, 1e-9)
	require.Contains(t, lagLine(lags), "p50 0.30 s, p90 0.40 s, max 0.40 s over 2 blocks")
	require.Contains(t, lagLine(nil), "no block")
}
