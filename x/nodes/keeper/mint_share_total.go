package keeper

import (
	"context"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/nodes/types"
)

// SetMintShares gives the keeper what it reads the other pools' mint_share from. Call once,
// at app construction. Without it MsgUpdateParams checks this module's share alone.
func (k Keeper) SetMintShares(s types.MintShares) { k.mintShares.Set(s) }

// checkMintShareTotal refuses a new mint_share that, with the other pools' current shares,
// would sum above 1 (ErrInvalidParams). It reads only.
func (k Keeper) checkMintShareTotal(ctx context.Context, share sdkmath.LegacyDec) error {
	return k.mintShares.CheckUpdate(ctx, share, types.ErrInvalidParams)
}
