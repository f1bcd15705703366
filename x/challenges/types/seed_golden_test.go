package types_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/challenges/types"
)

// TestInviteSeedGolden pins the invitation randomness (seed, draws, shuffle): it is
// consensus, so the shared seed helper must reproduce it byte for byte.
func TestInviteSeedGolden(t *testing.T) {
	prev := make([]byte, 32)
	for i := range prev {
		prev[i] = byte(i)
	}
	seed := types.InviteSeed(prev, 7)
	require.Equal(t, "19db1a4731d26fc221199bb3353b073ab3e3974467fee85b890d6b938f8bdca9", hex.EncodeToString(seed[:]))
	zero := types.InviteSeed(nil, 0)
	require.Equal(t, "ef19111f81dff983925e498e2c00f1373549c11fb19df364d1a5289e4af0a16c", hex.EncodeToString(zero[:]))

	require.Equal(t, uint64(257), types.Draw(seed, 0, 1000))
	require.Equal(t, uint64(579), types.Draw(seed, 1, 1000))
	require.Equal(t, uint64(8554500449060614156), types.Draw(seed, 1<<40, 1<<63))
	require.Equal(t, []string{"h", "i", "f", "b"},
		types.Shuffle(seed, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, 4))
}
