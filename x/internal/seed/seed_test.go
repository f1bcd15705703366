package seed_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/internal/seed"
)

func prevHash() []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func hexOf(s seed.Seed) string { return hex.EncodeToString(s[:]) }

// The expected values were computed independently with Python's hashlib and struct
// (">Q" for the counters), so they pin the byte layouts, not just this code's output.
func TestLayouts(t *testing.T) {
	prev := prevHash()
	require.Equal(t, "d4408389b41a68b0b02c2ba94f11bed2130b1519130354b99379431e83bf780d", hexOf(seed.FromBlock(prev, "cortd/test", 9)))
	require.Equal(t, "71f972c3efe46f592e47d6b43d3c8498b041a064bbd20ba0214448debf175149", hexOf(seed.FromBlock(nil, "cortd/test", 0)))
	require.Equal(t, "072fe56d345c9b8cf061fa8adfd12ccc07f84da07e8012f76adc75799cf143f2", hexOf(seed.DomainFirst("cortd/test", prev)))
	require.Equal(t, "69f124b4be18e38eae90f607d3e308952ebdcba44b87b13bd0eb6688a695197a", hexOf(seed.DomainFirst("cortd/test", prev, 42, 7)))
	require.Equal(t, uint64(13831669721304376758), seed.Uint64(prev, 3, 4))
	require.Equal(t, uint64(758), seed.Below(prev, 1000, 3, 4))
	require.Equal(t, "d3d930ff44d21372cf14076308484ad6200ae5656baec2c6f6fdc08a99500687", hexOf(seed.Sub(prev, "models")))
}

// Every input is bound: changing the domain, the hash, a counter or the counters' order
// changes the seed.
func TestInputsBound(t *testing.T) {
	prev := prevHash()
	base := seed.FromBlock(prev, "a", 1)
	require.NotEqual(t, base, seed.FromBlock(prev, "b", 1))
	require.NotEqual(t, base, seed.FromBlock(prev, "a", 2))
	require.NotEqual(t, base, seed.FromBlock(prev[1:], "a", 1))
	require.NotEqual(t, seed.Uint64(prev, 1, 2), seed.Uint64(prev, 2, 1))
	require.NotEqual(t, seed.DomainFirst("a", prev), seed.DomainFirst("a", prev, 0), "no counter is not counter 0")
}

// The stream crosses sha256 blocks (16 draws of two bytes each) without a gap.
func TestStream(t *testing.T) {
	s := seed.NewStream(prevHash())
	want := []uint16{43478, 58624, 10554, 35005, 14539, 57875, 53370, 46879, 36018, 9605, 20999, 10753, 48625, 50187, 58663, 62672, 24673}
	got := make([]uint16, len(want))
	for i := range got {
		got[i] = s.Uint16()
	}
	require.Equal(t, want, got)

	// Uint64 packs four draws, big-endian, then reduces.
	a, b := seed.NewStream(prevHash()), seed.NewStream(prevHash())
	v := uint64(a.Uint16())<<48 | uint64(a.Uint16())<<32 | uint64(a.Uint16())<<16 | uint64(a.Uint16())
	require.Equal(t, v%1000, b.Uint64(1000))
	require.Equal(t, uint64(0), seed.NewStream(prevHash()).Uint64(1))
}
