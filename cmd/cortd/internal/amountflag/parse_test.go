package amountflag

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"5000000", "5000000"},
		{" 42 ", "42"},
		{"0", "0"},
		{"+7", "7"},
		{"115792089237316195423570985008687907853269984665640564039457584007913129639935", "115792089237316195423570985008687907853269984665640564039457584007913129639935"},
	} {
		got, err := ParseAmount(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got.String(), tc.in)
	}
}

func TestParseAmountRefusals(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"5000000ucor", `"5000000ucor" is a coin, but this takes a bare whole number of ucor: write 5000000`},
		{"5000000 ucor", "write 5000000"},
		{"5cor", "write 5000000 (1 COR = 1000000 ucor)"},
		{"1.5COR", "write 1500000"},
		{"3stake", `"3stake" is a coin, but this takes a bare whole number of ucor, e.g. 5000000`},
		{"0.0000001cor", "bare whole number of ucor, e.g. 5000000"}, // not a whole ucor: no exact hint
		{"", "empty amount"},
		{"abc", `"abc" is not an amount`},
		{"ucor", `"ucor" is not an amount`},
		{"-5", "cannot be negative"},
		{"1.5", "whole numbers of ucor"},
		{"115792089237316195423570985008687907853269984665640564039457584007913129639936", "out of range"},
	} {
		_, err := ParseAmount(tc.in)
		require.ErrorContains(t, err, tc.msg, tc.in)
	}
}

func TestParseCoin(t *testing.T) {
	for _, tc := range []struct{ in, amount, denom string }{
		{"5000000ucor", "5000000", "ucor"},
		{" 5000000 ucor ", "5000000", "ucor"},
		{"1ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2", "1", "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"},
		{"0stake", "0", "stake"},
	} {
		amount, denom, err := ParseCoin(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.amount, amount.String(), tc.in)
		require.Equal(t, tc.denom, denom, tc.in)
	}
}

func TestParseCoinRefusals(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"5000000", `"5000000" has no denom: this takes a coin, e.g. 5000000ucor`},
		{"6000cor", "the chain counts in ucor (1 COR = 1000000 ucor): write 6000000000ucor"},
		{"1.5ucor", "whole numbers of ucor"},
		{"-1ucor", "cannot be negative"},
		{"1ucor,2ucor", "lists several coins"},
		{"5uc", `invalid denom "uc"`},
		{"", "empty coin"},
		{"ucor", `"ucor" is not a coin`},
	} {
		_, _, err := ParseCoin(tc.in)
		require.ErrorContains(t, err, tc.msg, tc.in)
	}
}

// TestParseAmountDecimalNotOctal: leading zeros are decimal, never octal or hex.
func TestParseAmountDecimalNotOctal(t *testing.T) {
	got, err := ParseAmount("010")
	require.NoError(t, err)
	require.Equal(t, "10", got.String())
	_, err = ParseAmount("0x10")
	require.ErrorContains(t, err, `"0x10" is a coin`) // "x10" parses as a denom; refused either way
	amount, _, err := ParseCoin("010ucor")
	require.NoError(t, err)
	require.Equal(t, "10", amount.String())
}
