package keepers

import (
	"context"

	sdkmath "cosmossdk.io/math"
)

// MintShares is a fixed view of every rewards pool's mint_share (module, decimal), in
// order, for the pool keepers' SetMintShares in keeper tests; Err is returned after the
// visit, as a store error would be.
type MintShares struct {
	Shares [][2]string
	Err    error
}

// VisitMintShares implements the pool modules' types.MintShares.
func (p MintShares) VisitMintShares(_ context.Context, fn func(string, sdkmath.LegacyDec)) error {
	for _, s := range p.Shares {
		fn(s[0], sdkmath.LegacyMustNewDecFromStr(s[1]))
	}
	return p.Err
}
