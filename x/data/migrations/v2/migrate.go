// Package v2 migrates x/data from consensus version 1 to 2.
//
// Version 2 adds the claim delay: a passed target's reward is claimable from the epoch
// params.claim_delay_epochs after its audit passed (Target.claimable_epoch, fixed at the
// pass), the network's rule being "in the following epoch". Both are new protobuf fields,
// so stored records read unchanged: targets that passed under version 1 have
// claimable_epoch 0 and stay claimable at once. The params stored by version 1 read
// claim_delay_epochs 0 (at once); the migration sets it to the rule's 1 so upgraded chains
// follow the rule from the upgrade on, as new chains do.
package v2

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/data/types"
)

// ClaimDelayEpochs is what the migration sets: the default of version 2.
const ClaimDelayEpochs = 1

// MigrateParams sets claim_delay_epochs in the stored params, checking the result.
func MigrateParams(ctx context.Context, params collections.Item[types.Params]) error {
	p, err := params.Get(ctx)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidParams, "migrating x/data to v2: reading params: %v", err)
	}
	p.ClaimDelayEpochs = ClaimDelayEpochs
	if err := p.Validate(); err != nil {
		return errorsmod.Wrapf(err, "migrating x/data to v2")
	}
	return params.Set(ctx, p)
}
