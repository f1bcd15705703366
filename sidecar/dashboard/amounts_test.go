package dashboard

import (
	"math/big"
	"testing"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"
)

func TestFormatCORExact(t *testing.T) {
	for in, want := range map[string]string{
		"0":                      "0",
		"5":                      "0.000005",
		"999999":                 "0.999999",
		"1000000":                "1",
		"1234567":                "1.234567",
		"1200000":                "1.2",
		"6000000000":             "6,000",
		"123456789":              "123.456789",
		"1000000000000":          "1,000,000",
		"-2500000":               "-2.5",
		"-5":                     "-0.000005",
		"123456789012345678901":  "123,456,789,012,345.678901", // beyond float64's 53 bits
		"9007199254740993000001": "9,007,199,254,740,993.000001",
	} {
		n, ok := new(big.Int).SetString(in, 10)
		require.True(t, ok)
		require.Equal(t, want, formatCOR(n), in)
	}
}

func TestCorHTML(t *testing.T) {
	require.Equal(t, `<span class="amt" title="6000000000 ucor" data-ucor="6000000000">6,000 COR</span>`, string(corHTML(sdkmath.NewInt(6_000_000_000))))
	require.Equal(t, `<span class="amt" title="1500000 ucor" data-ucor="1500000">1.5 COR</span>`, string(corHTML("1500000")))
	c := sdk.NewInt64Coin("ucor", 7)
	require.Equal(t, `<span class="amt" title="7 ucor" data-ucor="7">0.000007 COR</span>`, string(corHTML(&c)))
	require.Equal(t, "12 stake&lt;x&gt;", string(corHTML(sdk.Coin{Denom: "stake<x>", Amount: sdkmath.NewInt(12)})))
	require.Equal(t, "–", string(corHTML(sdkmath.Int{})))
	require.Equal(t, "–", string(corHTML("12abc")))
	require.Equal(t, "–", string(corHTML((*sdk.Coin)(nil))))
	require.Equal(t, `<span class="amt" title="42 ucor" data-ucor="42">0.000042 COR</span>`, string(corHTML(uint64(42))))
}
