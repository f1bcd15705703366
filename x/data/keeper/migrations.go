package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	v2 "github.com/cortnet/cortd/x/data/migrations/v2"
)

// Migrator runs the store migrations of x/data.
type Migrator struct{ k Keeper }

// NewMigrator returns the migrator of k.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 turns the claim delay on (migrations/v2).
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	if err := v2.MigrateParams(ctx, m.k.Params); err != nil {
		return err
	}
	ctx.Logger().Info("x/data migrated to v2", "claim_delay_epochs", v2.ClaimDelayEpochs)
	return nil
}
