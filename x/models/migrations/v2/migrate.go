// Package v2 migrates x/models from consensus version 1 to 2.
//
// Version 2 adds Model.manifest_sha256: a record may name the canonical manifest.json of
// its model folder (every file's path, size and sha256), and its weights_uri is then the
// folder's base. Version 1 records had no manifest: their weights_uri names the weights
// file and nodes provide the folder themselves. The migration reads every stored record
// in id order, checks it decodes and is a valid version 1 record (no manifest field: a
// version 1 binary could not have written one), and writes it back in the version 2
// encoding with manifest_sha256 empty, which keeps its version 1 meaning. A record that
// does not decode or validate stops the upgrade with an error naming it, rather than
// carrying an unreadable record into a state where every role would trip over it.
package v2

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/models/types"
)

// MigrateStore rewrites the model records of a version 1 store (see the package doc).
// It returns how many records it migrated.
func MigrateStore(ctx context.Context, models collections.Map[string, types.Model]) (int, error) {
	// Collect first, write after: collections iterators must not see their own writes.
	var recs []types.Model
	it, err := models.Iterate(ctx, nil)
	if err != nil {
		return 0, err
	}
	for ; it.Valid(); it.Next() {
		id, err := it.Key()
		if err != nil {
			it.Close()
			return 0, errorsmod.Wrap(types.ErrInvalidGenesis, "migrating x/models to v2: reading a model id: "+err.Error())
		}
		m, err := it.Value()
		if err != nil {
			it.Close()
			return 0, errorsmod.Wrapf(types.ErrInvalidGenesis, "migrating x/models to v2: model %q does not decode: %v", id, err)
		}
		if m.Id != id {
			it.Close()
			return 0, errorsmod.Wrapf(types.ErrInvalidGenesis, "migrating x/models to v2: record under key %q has id %q", id, m.Id)
		}
		if m.ManifestSha256 != "" {
			it.Close()
			return 0, errorsmod.Wrapf(types.ErrInvalidGenesis, "migrating x/models to v2: model %q already has a manifest_sha256 (not a version 1 record)", id)
		}
		if err := m.Validate(); err != nil {
			it.Close()
			return 0, errorsmod.Wrapf(err, "migrating x/models to v2: model %q", id)
		}
		recs = append(recs, m)
	}
	it.Close()
	for _, m := range recs {
		if err := models.Set(ctx, m.Id, m); err != nil {
			return 0, err
		}
	}
	return len(recs), nil
}
