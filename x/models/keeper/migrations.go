package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	v2 "github.com/cortnet/cortd/x/models/migrations/v2"
)

// Migrator runs the store migrations of x/models.
type Migrator struct{ k Keeper }

// NewMigrator returns the migrator of k.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 adds manifest_sha256 to the model records (migrations/v2).
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	n, err := v2.MigrateStore(ctx, m.k.Models)
	if err != nil {
		return err
	}
	m.k.Logger(ctx).Info("x/models migrated to v2", "models", n)
	return nil
}
