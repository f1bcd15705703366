package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	v2 "github.com/cortnet/cortd/x/payments/migrations/v2"
)

// Migrator runs the store migrations of x/payments.
type Migrator struct{ k Keeper }

// NewMigrator returns the migrator of k.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 re-keys pending payments by account bytes (migrations/v2).
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	n, err := v2.MigrateStore(ctx, m.k.storeService, m.k.Pending.Map)
	if err != nil {
		return err
	}
	ctx.Logger().Info("x/payments migrated to v2", "pending_entries", n)
	return nil
}
