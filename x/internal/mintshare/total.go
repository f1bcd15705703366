package mintshare

import (
	"fmt"
	"strings"

	sdkmath "cosmossdk.io/math"
)

// Share is one pool's mint_share, named by its module.
type Share struct {
	Module string
	Share  sdkmath.LegacyDec
}

// CheckTotal is the rule across the pools: every share is set and in [0, 1], and together
// they take at most the whole provision (Σ ≤ 1). Each pool moves its share × the block's
// provision in BeginBlock, in module order, capped at what the fee collector holds, so
// shares summing above 1 would let the last pools in the order be paid less than their
// params say. The error is plain: callers wrap it in their own registered error.
func CheckTotal(shares []Share) error {
	total := sdkmath.LegacyZeroDec()
	parts := make([]string, 0, len(shares))
	for _, s := range shares {
		if s.Share.IsNil() || s.Share.IsNegative() || s.Share.GT(sdkmath.LegacyOneDec()) {
			return fmt.Errorf("%s mint_share must be in [0, 1], got %v", s.Module, s.Share)
		}
		total = total.Add(s.Share)
		parts = append(parts, s.Module+" "+s.Share.String())
	}
	if total.GT(sdkmath.LegacyOneDec()) {
		return fmt.Errorf("mint shares sum to %s > 1 (%s)", total, strings.Join(parts, ", "))
	}
	return nil
}

// CheckUpdate applies CheckTotal to a module's new share together with the others' current
// shares (what a MsgUpdateParams changing mint_share must keep true).
func CheckUpdate(module string, share sdkmath.LegacyDec, others []Share) error {
	return CheckTotal(append([]Share{{Module: module, Share: share}}, others...))
}
