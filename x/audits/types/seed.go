package types

import "github.com/cortnet/cortd/x/internal/seed"

// AuditorSeed is the randomness of one auditor draw:
// sha256(prev block header hash ‖ "cortd/audits/auditor" ‖ counter as 8 big-endian bytes)
// (seed.FromBlock). The counter is the audit id, so every audit opened in a block gets its
// own seed.
func AuditorSeed(prevBlockHash []byte, counter uint64) []byte {
	s := seed.FromBlock(prevBlockHash, SeedDomain, counter)
	return s[:]
}
