package types

import (
	"crypto/sha256"
	"encoding/binary"
)

// InviteSeed is the randomness of one challenge's invitation:
// sha256(prev block header hash ‖ InviteDomain ‖ challenge id as 8 big-endian bytes).
func InviteSeed(prevBlockHash []byte, challengeID uint64) [32]byte {
	h := sha256.New()
	h.Write(prevBlockHash)
	h.Write([]byte(InviteDomain))
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], challengeID)
	h.Write(c[:])
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// Draw returns a number in [0, n) from sha256(seed ‖ counter). The modulo bias is below
// n / 2^64 (n ≤ MaxCandidateScanCap): negligible.
func Draw(seed [32]byte, counter uint64, n uint64) uint64 {
	var buf [40]byte
	copy(buf[:32], seed[:])
	binary.BigEndian.PutUint64(buf[32:], counter)
	sum := sha256.Sum256(buf[:])
	return binary.BigEndian.Uint64(sum[:8]) % n
}

// Shuffle picks up to k of ids by a deterministic partial Fisher-Yates shuffle seeded
// with seed (ids are in a deterministic order, e.g. node id order). ids is not modified.
func Shuffle(seed [32]byte, ids []string, k int) []string {
	a := append([]string(nil), ids...)
	if k > len(a) {
		k = len(a)
	}
	for i := 0; i < k; i++ {
		j := i + int(Draw(seed, uint64(i), uint64(len(a)-i)))
		a[i], a[j] = a[j], a[i]
	}
	return a[:k]
}
