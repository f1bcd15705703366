package types_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/audits/types"
)

// TestAuditorSeedGolden pins the auditor draw's seed, sha256(prev block hash ‖
// "cortd/audits/auditor" ‖ uint64_be(counter)): it is consensus, so the shared seed
// helper must reproduce it byte for byte. The first vector was checked with Python's
// hashlib.
func TestAuditorSeedGolden(t *testing.T) {
	prev := make([]byte, 32)
	for i := range prev {
		prev[i] = byte(i)
	}
	require.Equal(t, "d901d90a9e0526cb309e6418768f141cc19d7010bcb9823059aa628471b61dd9", hex.EncodeToString(types.AuditorSeed(prev, 7)))
	require.Equal(t, "372c2b5d69707f852ed9479f88015484ac60cda58e02e7245d133bd40d841bd4", hex.EncodeToString(types.AuditorSeed(nil, 0)),
		"no previous hash (first block) still draws")
}
