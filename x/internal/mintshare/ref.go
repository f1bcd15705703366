package mintshare

import (
	"context"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// Visitor reports every rewards pool's current mint_share (each pool module declares it as
// types.MintShares in its expected_keepers.go; the app implements it over the keepers).
type Visitor interface {
	VisitMintShares(ctx context.Context, fn func(module string, share sdkmath.LegacyDec)) error
}

// Ref is a pool keeper's view of the other pools' shares. The pool keepers are built one
// after the other, so the app sets it after construction (Set); the keeper holds it by
// pointer so every copy of the keeper sees it.
type Ref struct {
	module string
	v      Visitor
}

// NewRef returns an unset Ref for the pool module named module.
func NewRef(module string) *Ref { return &Ref{module: module} }

// Set gives the Ref what it reads the shares from. Call once, at app construction.
func (r *Ref) Set(v Visitor) {
	if r.v != nil {
		panic(fmt.Sprintf("x/%s: SetMintShares called twice", r.module))
	}
	r.v = v
}

// CheckUpdate refuses a new mint_share of r's module that, with the other pools' current
// shares, breaks CheckTotal: the rule's error wrapped in invalid (the module's registered
// ErrInvalidParams); a store error as it is. Unset (keeper tests without the app), it
// checks nothing: the module's own params validation still bounds its share. It reads only.
func (r *Ref) CheckUpdate(ctx context.Context, share sdkmath.LegacyDec, invalid *errorsmod.Error) error {
	if r.v == nil {
		return nil
	}
	var others []Share
	err := r.v.VisitMintShares(ctx, func(module string, s sdkmath.LegacyDec) {
		if module != r.module {
			others = append(others, Share{Module: module, Share: s})
		}
	})
	if err != nil {
		return err
	}
	if err := CheckUpdate(r.module, share, others); err != nil {
		return errorsmod.Wrap(invalid, err.Error())
	}
	return nil
}
