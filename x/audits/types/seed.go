package types

import (
	"crypto/sha256"
	"encoding/binary"
)

// AuditorSeed is the randomness of one auditor draw:
// sha256(prev block header hash ‖ "cortd/audits/auditor" ‖ counter as 8 big-endian bytes).
// The counter is the audit id, so every audit opened in a block gets its own seed.
func AuditorSeed(prevBlockHash []byte, counter uint64) []byte {
	h := sha256.New()
	h.Write(prevBlockHash)
	h.Write([]byte(SeedDomain))
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	h.Write(c[:])
	return h.Sum(nil)
}
