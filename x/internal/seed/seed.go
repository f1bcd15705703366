// Package seed derives the chain's deterministic randomness (DESIGN "Rules that keep
// consensus safe"): every seed is sha256 over the previous block's header hash, a domain
// string that keeps each use apart, and big-endian counters; draws hash a seed with
// counters again. Modules (x/audits, x/sessions, x/data, x/challenges) keep their own
// domains and call these functions, so the byte layout is written once. Every output is
// consensus: the layouts below must never change for an existing domain.
//
// Grinding: the block proposer knows the previous hash before anyone else and can only
// withhold a block to change it; each module's README says what that buys.
package seed

import (
	"crypto/sha256"
	"encoding/binary"
)

// Seed is a 32-byte derived seed.
type Seed [32]byte

// sum is sha256(parts[0] ‖ parts[1] ‖ … ‖ uint64_be(counters[0]) ‖ …).
func sum(parts [][]byte, counters []uint64) Seed {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	var c [8]byte
	for _, n := range counters {
		binary.BigEndian.PutUint64(c[:], n)
		h.Write(c[:])
	}
	var s Seed
	copy(s[:], h.Sum(nil))
	return s
}

// FromBlock is the DESIGN rule: sha256(prevBlockHash ‖ domain ‖ uint64_be(counter)).
// x/audits (auditor draw, counter = audit id), x/data (target, counter = target id) and
// x/challenges (invitation, counter = challenge id) use it. A nil hash (first block) is
// hashed as empty.
func FromBlock(prevBlockHash []byte, domain string, counter uint64) Seed {
	return sum([][]byte{prevBlockHash, []byte(domain)}, []uint64{counter})
}

// DomainFirst is sha256(domain ‖ prevBlockHash ‖ uint64_be(counters[0]) ‖ …), the order
// x/sessions has used since genesis (assignment and audit sampling with no counter, the
// exact-mode sampling seed with the task id). Kept as is: changing it would change
// consensus.
func DomainFirst(domain string, prevBlockHash []byte, counters ...uint64) Seed {
	return sum([][]byte{[]byte(domain), prevBlockHash}, counters)
}

// Uint64 is uint64_be(sha256(s ‖ uint64_be(counters[0]) ‖ …)[0:8]): one 64-bit draw from
// a seed, e.g. counter = draw index, or task id then draw index.
func Uint64(s []byte, counters ...uint64) uint64 {
	d := sum([][]byte{s}, counters)
	return binary.BigEndian.Uint64(d[:8])
}

// Below is Uint64(s, counters...) mod n, a draw in [0, n); n must be positive. The modulo
// bias is below n / 2^64, negligible for the bounded n the modules pass.
func Below(s []byte, n uint64, counters ...uint64) uint64 {
	return Uint64(s, counters...) % n
}

// Sub is sha256(s ‖ label): an independent seed for a second use of the same seed (x/data
// draws a target's models from Sub(targetSeed, "models")).
func Sub(s []byte, label string) Seed {
	return sum([][]byte{s, []byte(label)}, nil)
}
