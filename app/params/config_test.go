package params_test

import (
	"os"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/app/params"
)

// The SDK config scope is named before the prefixes are set (so GetConfig stops
// calling os.Executable per address), and the named scope holds the chain's prefixes.
func TestConfigScopePinned(t *testing.T) {
	require.Equal(t, params.AppName, os.Getenv(sdk.EnvConfigScope))
	require.Equal(t, params.Bech32Prefix, sdk.GetConfig().GetBech32AccountAddrPrefix())
	addr := sdk.AccAddress([]byte("01234567890123456789"))
	back, err := sdk.AccAddressFromBech32(addr.String())
	require.NoError(t, err)
	require.Equal(t, addr, back)
	require.Contains(t, addr.String(), params.Bech32Prefix+"1")
}
