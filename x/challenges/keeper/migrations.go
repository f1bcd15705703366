package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	v2 "github.com/cortnet/cortd/x/challenges/migrations/v2"
)

// Migrator runs the store migrations of x/challenges.
type Migrator struct{ k Keeper }

// NewMigrator returns the migrator of k.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 sets the params version 2 adds (migrations/v2).
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	if err := v2.MigrateParams(ctx, m.k.Params); err != nil {
		return err
	}
	ctx.Logger().Info("x/challenges migrated to v2")
	return nil
}
