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

func TestPercentagesExact(t *testing.T) {
	for in, want := range map[string]string{
		"1":                    "100%",
		"0":                    "0%",
		"0.315":                "31.5%",
		"0.333333333333333333": "33.33%",
		"0.666666666666666667": "66.67%",
		"0.0001":               "0.01%",
		"0.123449":             "12.34%",
	} {
		require.Equal(t, want, fmtPct(sdkmath.LegacyMustNewDecFromStr(in)), in)
	}
	require.Equal(t, "–", fmtPct(sdkmath.LegacyDec{}))
	require.Equal(t, "65%", fmtBps(6500))
	require.Equal(t, "0.01%", fmtBps(1))
	require.Equal(t, "100%", fmtBps(10000))
}

// TestPagesShowCORAndPercentages: amounts are COR with the ucor amount on hover,
// scores are percentages, on the rank table and the node page; the JSON twin keeps
// the chain's ucor amounts and 18-decimal scores.
func TestPagesShowCORAndPercentages(t *testing.T) {
	f := newFake(3, 1, 1, 2)
	h := testServer(f).Handler()
	sixK := `<span class="amt" title="6000000000 ucor" data-ucor="6000000000">6,000 COR</span>`
	_, body := get(t, h, "/nodes")
	require.Contains(t, body, `<td class="num stake">`+sixK+`</td>`)
	// node-000001's newest record (period 2, index 1): score (1×31 + 1×17) % 100 = 48 hundredths.
	require.Contains(t, body, `<tr data-node="node-000001">`)
	require.Contains(t, body, `<td class="num total">48%</td>`)
	require.Contains(t, body, `<td class="num uptime">100%</td>`)
	require.Contains(t, body, `<td class="num rewards"><span class="amt" title="7 ucor" data-ucor="7">0.000007 COR</span></td>`)

	_, body = get(t, h, "/nodes/node-000001")
	require.Contains(t, body, `<b id="stake">`+sixK+`</b>`)
	require.Contains(t, body, `minimum <span class="amt" title="6000000000 ucor" data-ucor="6000000000">6,000 COR</span>`)
	require.Contains(t, body, `pending payments <span class="amt" title="777 ucor" data-ucor="777">0.000777 COR</span>`)
	require.Contains(t, body, `<td class="num">31%</td>`) // period 1's scores

	_, js := get(t, h, "/nodes/node-000001?format=json")
	require.Contains(t, js, `"stake":"6000000000"`)
	require.Contains(t, js, `"total_score":"0.310000000000000000"`)
	_, js = get(t, h, "/?format=json")
	require.Contains(t, js, `"amount":"123456789"`)
}

// TestShortRewardsPoolExplained: a period paid below its entitlement gets the
// sentence that explains it (a short rewards pool); a period still being settled is
// named as such; a node paid in full has neither.
func TestShortRewardsPoolExplained(t *testing.T) {
	h := testServer(newFake(3, 1, 1, 6)).Handler()
	_, body := get(t, h, "/nodes/node-000001")
	require.Contains(t, body, `<p id="short-pool">Paid is below entitled in periods 4 (`+
		`<span class="amt" title="12500000 ucor" data-ucor="12500000">12.5 COR</span> of <span class="amt" title="20000000 ucor" data-ucor="20000000">20 COR</span>), 3 (`)
	require.Contains(t, body, "because the rewards pool was short")
	require.Contains(t, body, `<p id="unpaid">Period 6 is still being settled: the reward is not paid yet.</p>`)
	require.Contains(t, body, `<td class="num paid"><span class="amt" title="12500000 ucor" data-ucor="12500000">12.5 COR</span></td>`)

	_, body = get(t, testServer(newFake(3, 1, 1, 2)).Handler(), "/nodes/node-000001")
	require.NotContains(t, body, `id="short-pool"`)
	require.NotContains(t, body, `id="unpaid"`)
}
