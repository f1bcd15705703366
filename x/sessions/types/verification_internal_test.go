package types

import "testing"

// TestNonZeroSeed: a drawn seed of 0 (which would mean "no seed") becomes 1; every other
// value is kept. (A hash preimage giving 0 cannot be found, so the rule is tested here.)
func TestNonZeroSeed(t *testing.T) {
	for in, want := range map[uint64]uint64{0: 1, 1: 1, 2: 2, ^uint64(0): ^uint64(0)} {
		if got := nonZeroSeed(in); got != want {
			t.Fatalf("nonZeroSeed(%d) = %d, want %d", in, got, want)
		}
	}
}
