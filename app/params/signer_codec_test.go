package params_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"

	appparams "github.com/cortnet/cortd/app/params"
)

// The remembering codec answers as the plain one does, for valid and invalid strings in
// any order, and a caller that changes its bytes changes nothing for the next.
func TestLastAddressCodecAnswersAsThePlainOne(t *testing.T) {
	plain := address.Bech32Codec{Bech32Prefix: appparams.Bech32Prefix}
	c := appparams.NewLastAddressCodec(plain)
	a, err := plain.BytesToString(sdk.AccAddress([]byte("signer-a-20-bytes-xx")))
	require.NoError(t, err)
	b, err := plain.BytesToString(sdk.AccAddress([]byte("signer-b-20-bytes-xx")))
	require.NoError(t, err)
	other, err := address.Bech32Codec{Bech32Prefix: "cosmos"}.BytesToString([]byte("signer-a-20-bytes-xx"))
	require.NoError(t, err)
	for _, s := range []string{a, a, b, a, "", "cor1notbech32", a + "x", other, b, b, a} {
		want, wantErr := plain.StringToBytes(s)
		got, err := c.StringToBytes(s)
		if wantErr != nil {
			require.Error(t, err, "%q", s)
			continue
		}
		require.NoError(t, err, "%q", s)
		require.Equal(t, want, got, "%q", s)
		got[0] ^= 0xff // the caller's copy
	}
	got, err := c.StringToBytes(a)
	require.NoError(t, err)
	require.Equal(t, []byte("signer-a-20-bytes-xx"), got)
}
