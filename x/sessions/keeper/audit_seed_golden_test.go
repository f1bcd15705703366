package keeper_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/keeper"
)

// TestAuditSeedGolden pins the task-audit sampling (seed and 32 draws at 50%): it is
// consensus, so the shared seed helper must reproduce it byte for byte.
func TestAuditSeedGolden(t *testing.T) {
	prev := make([]byte, 32)
	for i := range prev {
		prev[i] = byte(i)
	}
	seed := keeper.AuditSeed(prev)
	require.Equal(t, "5692a81bb453b48cccf6ae543976be67f7910d0de221c087b519eabfb8c304e6", hex.EncodeToString(seed[:]))
	zero := keeper.AuditSeed(nil)
	require.Equal(t, "b37451a653fe15a415e526c2b6c3bc843e23b6eaddff94e73fe1f41e2bcc8d78", hex.EncodeToString(zero[:]))

	drawn := ""
	for id := uint64(1); id <= 32; id++ {
		if keeper.AuditSampled(seed, id, 5000) {
			drawn += "1"
		} else {
			drawn += "0"
		}
	}
	require.Equal(t, "01100101110000001000000101011101", drawn)
}
