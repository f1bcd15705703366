package types

import "github.com/cortnet/cortd/x/internal/seed"

// InviteSeed is the randomness of one challenge's invitation:
// sha256(prev block header hash ‖ InviteDomain ‖ challenge id as 8 big-endian bytes)
// (seed.FromBlock).
func InviteSeed(prevBlockHash []byte, challengeID uint64) [32]byte {
	return seed.FromBlock(prevBlockHash, InviteDomain, challengeID)
}

// Draw returns a number in [0, n) from sha256(seed ‖ counter) (seed.Below). The modulo
// bias is below n / 2^64 (n ≤ MaxCandidateScanCap): negligible.
func Draw(s [32]byte, counter uint64, n uint64) uint64 {
	return seed.Below(s[:], n, counter)
}

// Shuffle picks up to k of ids by a deterministic partial Fisher-Yates shuffle seeded
// with s (ids are in a deterministic order, e.g. node id order). ids is not modified.
func Shuffle(s [32]byte, ids []string, k int) []string {
	a := append([]string(nil), ids...)
	if k > len(a) {
		k = len(a)
	}
	for i := 0; i < k; i++ {
		j := i + int(Draw(s, uint64(i), uint64(len(a)-i)))
		a[i], a[j] = a[j], a[i]
	}
	return a[:k]
}
