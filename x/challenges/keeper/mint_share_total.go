package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/types"
	"github.com/cortnet/cortd/x/internal/mintshare"
)

// mintSharesRef holds the app's view of every pool's mint_share, set after construction
// (the three pool keepers are built one after the other). Shared by pointer among copies.
type mintSharesRef struct{ s types.MintShares }

// SetMintShares gives the keeper what it reads the other pools' mint_share from. Call once,
// at app construction. Without it MsgUpdateParams checks this module's share alone.
func (k Keeper) SetMintShares(s types.MintShares) {
	if k.mintShares.s != nil {
		panic("x/challenges: SetMintShares called twice")
	}
	k.mintShares.s = s
}

// checkMintShareTotal refuses a new mint_share that, with the other pools' current shares,
// would sum above 1 (ErrInvalidParams). It reads only.
func (k Keeper) checkMintShareTotal(ctx context.Context, share sdkmath.LegacyDec) error {
	if k.mintShares.s == nil {
		return nil
	}
	var others []mintshare.Share
	err := k.mintShares.s.VisitMintShares(ctx, func(module string, s sdkmath.LegacyDec) {
		if module != types.ModuleName {
			others = append(others, mintshare.Share{Module: module, Share: s})
		}
	})
	if err != nil {
		return err
	}
	if err := mintshare.CheckUpdate(types.ModuleName, share, others); err != nil {
		return errorsmod.Wrap(types.ErrInvalidParams, err.Error())
	}
	return nil
}
