package types_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/data/types"
)

// TestTargetSeedGolden pins a target's randomness (seed, stream draws, centre): it is
// consensus, so the shared seed and embedding helpers must reproduce it byte for byte.
func TestTargetSeedGolden(t *testing.T) {
	prev := make([]byte, 32)
	for i := range prev {
		prev[i] = byte(i)
	}
	seed := types.Seed(prev, 5)
	require.Equal(t, "50ab58172d1e10f99ad11e6904bd70ab00175c714b0cea14c334a40a624cce57", hex.EncodeToString(seed))
	require.Equal(t, "56005392d863be45d200660ee44e247093f262bb21c2acb888635fa06bc8eb6d", hex.EncodeToString(types.Seed(nil, 0)))

	st := types.NewStream(seed)
	require.Equal(t, uint64(843), st.Uint64(1000))
	require.Equal(t, uint64(54424018787781500), st.Uint64(1<<62))
	require.Equal(t, uint64(0), st.Uint64(7))

	require.Equal(t, []int32{570004, -280860, 532787, 76738, 227755, -231896, -362745, -263118}, types.Centre(seed, 8))
	h := sha256.New()
	for _, v := range types.Centre(seed, 768) {
		fmt.Fprintf(h, "%d,", v)
	}
	require.Equal(t, "7105fdeca475de420a30f47863b971f1b9fe297c586c0c0e48a1e61b35090c77", hex.EncodeToString(h.Sum(nil)), "768-dim centre")
}

// TestWithinThresholdGolden pins the exact distance rule: √d ≤ threshold × 10^6.
func TestWithinThresholdGolden(t *testing.T) {
	th := sdkmath.LegacyMustNewDecFromStr("0.5") // 500,000 → d ≤ 2.5·10^11
	require.True(t, types.WithinThreshold(250_000_000_000, th))
	require.False(t, types.WithinThreshold(250_000_000_001, th))
	require.False(t, types.WithinThreshold(-1, th))
}
