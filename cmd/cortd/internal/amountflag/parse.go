// Package amountflag parses the two forms an amount takes on the cortd command line, a
// bare whole number of ucor (proto fields with the cosmos.Int scalar: prices, deposits,
// bonds) and a coin with its denom (cosmos.base.v1beta1.Coin fields: stakes, pool funds),
// and refuses one where the other is expected before anything is signed, saying which form
// the argument takes. Register installs both as autocli flag types, so every module's
// flags and positional arguments get the same checks.
package amountflag

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	sdkmath "cosmossdk.io/math"

	appparams "github.com/cortnet/cortd/app/params"
)

// Denom is the base denom that bare amounts are counted in.
const Denom = appparams.BondDenom

// displayDenom is the whole-token name users type by mistake for Denom (1 COR = 10^6 ucor).
const displayDenom = "cor"

// microPerCOR is how many ucor make one COR.
const microPerCOR = 1_000_000

var (
	// amountRe splits "<number><denom>" loosely (a sign, decimals and spaces are allowed
	// here) so that each mistake gets its own message below.
	amountRe = regexp.MustCompile(`^([+-]?[0-9][0-9.]*)\s*([a-zA-Z][a-zA-Z0-9/:._-]*)?$`)
	// denomRe is the SDK's default denom syntax.
	denomRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$`)
)

// ParseAmount parses a bare whole non-negative number of ucor, as cosmos.Int amount fields
// take it. A coin ("5000000ucor", "5cor") is refused with the bare number to type instead.
func ParseAmount(s string) (sdkmath.Int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return sdkmath.Int{}, fmt.Errorf("empty amount: this takes a bare whole number of %s, e.g. 5000000", Denom)
	}
	m := amountRe.FindStringSubmatch(s)
	if m == nil {
		return sdkmath.Int{}, fmt.Errorf("%q is not an amount: this takes a bare whole number of %s, e.g. 5000000", s, Denom)
	}
	number, denom := m[1], m[2]
	if denom != "" {
		hint := "a bare whole number of " + Denom + ", e.g. 5000000"
		if micro, ok := inMicro(number, denom); ok {
			hint = fmt.Sprintf("a bare whole number of %s: write %s", Denom, micro)
			if strings.EqualFold(denom, displayDenom) {
				hint += fmt.Sprintf(" (1 COR = %d %s)", microPerCOR, Denom)
			}
		}
		return sdkmath.Int{}, fmt.Errorf("%q is a coin, but this takes %s", s, hint)
	}
	return wholeAmount(s, number)
}

// ParseCoin parses one coin with its denom, as cosmos.base.v1beta1.Coin fields take it. A
// bare number is refused with the coin to type instead; so is the display denom "cor".
func ParseCoin(s string) (amount sdkmath.Int, denom string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return sdkmath.Int{}, "", fmt.Errorf("empty coin: this takes an amount with its denom, e.g. 5000000%s", Denom)
	}
	if strings.Contains(s, ",") {
		return sdkmath.Int{}, "", fmt.Errorf("%q lists several coins: this takes one coin, e.g. 5000000%s", s, Denom)
	}
	m := amountRe.FindStringSubmatch(s)
	if m == nil {
		return sdkmath.Int{}, "", fmt.Errorf("%q is not a coin: this takes an amount with its denom, e.g. 5000000%s", s, Denom)
	}
	number, denom := m[1], m[2]
	if denom == "" {
		return sdkmath.Int{}, "", fmt.Errorf("%q has no denom: this takes a coin, e.g. %s%s", s, number, Denom)
	}
	if strings.EqualFold(denom, displayDenom) {
		hint := fmt.Sprintf("the chain counts in %s (1 COR = %d %s)", Denom, microPerCOR, Denom)
		if micro, ok := inMicro(number, denom); ok {
			hint += ": write " + micro + Denom
		}
		return sdkmath.Int{}, "", fmt.Errorf("%q: %s", s, hint)
	}
	if !denomRe.MatchString(denom) {
		return sdkmath.Int{}, "", fmt.Errorf("%q: invalid denom %q (3 to 128 letters, digits or /:._-, starting with a letter), e.g. 5000000%s", s, denom, Denom)
	}
	amount, err = wholeAmount(s, number)
	if err != nil {
		return sdkmath.Int{}, "", err
	}
	return amount, denom, nil
}

// wholeAmount checks the number part of input: non-negative, whole, within 256 bits.
func wholeAmount(input, number string) (sdkmath.Int, error) {
	if strings.HasPrefix(number, "-") {
		return sdkmath.Int{}, fmt.Errorf("%q: amounts cannot be negative", input)
	}
	if strings.Contains(number, ".") {
		return sdkmath.Int{}, fmt.Errorf("%q: amounts are whole numbers of %s (1 COR = %d %s)", input, Denom, microPerCOR, Denom)
	}
	// Base 10 explicitly: sdkmath.NewIntFromString reads "010" as octal 8.
	amount, ok := new(big.Int).SetString(strings.TrimPrefix(number, "+"), 10)
	if !ok {
		return sdkmath.Int{}, fmt.Errorf("%q is not a whole number of %s, e.g. 5000000", input, Denom)
	}
	if amount.BitLen() > sdkmath.MaxBitLen {
		return sdkmath.Int{}, fmt.Errorf("%q: amount out of range (at most %d bits)", input, sdkmath.MaxBitLen)
	}
	return sdkmath.NewIntFromBigInt(amount), nil
}

// inMicro writes number of denom (ucor or COR) as a whole number of ucor, for a hint; ok
// is false for other denoms and for values that are not a whole number of ucor.
func inMicro(number, denom string) (string, bool) {
	dec, err := sdkmath.LegacyNewDecFromStr(strings.TrimPrefix(number, "+"))
	if err != nil || dec.IsNegative() {
		return "", false
	}
	switch {
	case denom == Denom:
	case strings.EqualFold(denom, displayDenom):
		dec = dec.MulInt64(microPerCOR)
	default:
		return "", false
	}
	if !dec.IsInteger() {
		return "", false
	}
	return dec.TruncateInt().String(), true
}
