package dashboard

import (
	"fmt"
	"html/template"
	"math/big"
	"strings"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// baseDenom is the chain's base denomination (1 COR = 10^6 ucor): every amount the
// dashboard shows (stakes, rewards, escrow, prices, bonds, bonded stake) is in it.
const (
	baseDenom   = "ucor"
	displayName = "COR"
	corDecimals = 6
)

// formatCOR writes an integer amount of ucor as COR, exactly: integer arithmetic on
// the decimal digits (no float), thousands separated by commas, trailing zeros of the
// fraction dropped. 6000000000 → "6,000", 1234567 → "1.234567", 5 → "0.000005".
func formatCOR(ucor *big.Int) string { return formatFixed(ucor, corDecimals) }

// formatFixed writes n / 10^decimals exactly, thousands separated by commas and
// trailing zeros of the fraction dropped.
func formatFixed(n *big.Int, decimals int) string {
	digits := new(big.Int).Abs(n).String()
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-decimals], strings.TrimRight(digits[len(digits)-decimals:], "0")
	var sb strings.Builder
	if n.Sign() < 0 {
		sb.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	if frac != "" {
		sb.WriteByte('.')
		sb.WriteString(frac)
	}
	return sb.String()
}

// corHTML is the template function "cor": the amount in COR, with the exact ucor
// amount in the hover title and in data-ucor (what the browser test compares with
// the CLI). It takes what the query answers hold: math.Int, a decimal string, a
// coin, or a Go integer. A nil or unparsable amount shows as "–"; a coin of another
// denom is shown as it is.
func corHTML(v any) template.HTML {
	var n *big.Int
	switch x := v.(type) {
	case sdkmath.Int:
		if !x.IsNil() {
			n = x.BigInt()
		}
	case *sdkmath.Int:
		if x != nil && !x.IsNil() {
			n = x.BigInt()
		}
	case string:
		if b, ok := new(big.Int).SetString(x, 10); ok {
			n = b
		}
	case sdk.Coin:
		return coinHTML(x)
	case *sdk.Coin:
		if x != nil {
			return coinHTML(*x)
		}
	case uint64:
		n = new(big.Int).SetUint64(x)
	case int64:
		n = big.NewInt(x)
	case int:
		n = big.NewInt(int64(x))
	}
	if n == nil {
		return "–"
	}
	return template.HTML(fmt.Sprintf(`<span class="amt" title="%s %s" data-ucor="%s">%s %s</span>`,
		n.String(), baseDenom, n.String(), formatCOR(n), displayName))
}

func coinHTML(c sdk.Coin) template.HTML {
	if c.Amount.IsNil() {
		return "–"
	}
	if c.Denom != baseDenom && c.Denom != "" {
		return template.HTML(esc(c.Amount.String() + " " + c.Denom))
	}
	return corHTML(c.Amount)
}
