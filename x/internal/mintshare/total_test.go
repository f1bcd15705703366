package mintshare_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/internal/mintshare"
)

func dec(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

func sh(module string, share sdkmath.LegacyDec) mintshare.Share {
	return mintshare.Share{Module: module, Share: share}
}

func TestCheckTotal(t *testing.T) {
	require.NoError(t, mintshare.CheckTotal(nil))
	require.NoError(t, mintshare.CheckTotal([]mintshare.Share{sh("nodes", dec("0.1")), sh("challenges", dec("0")), sh("data", dec("0"))}))
	require.NoError(t, mintshare.CheckTotal([]mintshare.Share{sh("nodes", dec("0.5")), sh("challenges", dec("0.25")), sh("data", dec("0.25"))}), "exactly 1")

	err := mintshare.CheckTotal([]mintshare.Share{sh("nodes", dec("0.5")), sh("challenges", dec("0.25")), sh("data", dec("0.250000000000000001"))})
	require.EqualError(t, err, "mint shares sum to 1.000000000000000001 > 1 (nodes 0.500000000000000000, challenges 0.250000000000000000, data 0.250000000000000001)")

	require.ErrorContains(t, mintshare.CheckTotal([]mintshare.Share{sh("data", dec("-0.1")), sh("nodes", dec("0.2"))}), "data mint_share must be in [0, 1]")
	require.ErrorContains(t, mintshare.CheckTotal([]mintshare.Share{sh("nodes", dec("1.1")), sh("data", dec("-0.5"))}), "nodes mint_share must be in [0, 1]",
		"a negative share cannot make room for one above 1")
	require.ErrorContains(t, mintshare.CheckTotal([]mintshare.Share{sh("nodes", sdkmath.LegacyDec{})}), "nodes mint_share must be in [0, 1]", "unset")
}

func TestCheckUpdate(t *testing.T) {
	others := []mintshare.Share{sh("challenges", dec("0.3")), sh("data", dec("0.2"))}
	require.NoError(t, mintshare.CheckUpdate("nodes", dec("0.5"), others))
	require.ErrorContains(t, mintshare.CheckUpdate("nodes", dec("0.6"), others), "mint shares sum to 1.1")
	require.Len(t, others, 2, "the caller's slice is not modified")
}
