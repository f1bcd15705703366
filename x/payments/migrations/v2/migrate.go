// Package v2 migrates x/payments from consensus version 1 to 2.
//
// Version 1 stored each operator's pending payments under the operator's bech32 string
// (collections.StringKey under prefix 2); version 2 stores them under the account's bytes
// (sdk.AccAddressKey, same prefix), which is shorter and independent of the bech32 prefix.
// The amounts do not change. The migration reads every version 1 entry in key order, checks
// it (the key is an account address, the amount positive: version 1 never stored a zero),
// then deletes the old keys and writes the new ones. Two version 1 keys naming the same
// account (one of them not in canonical lowercase) are merged by adding their amounts, since
// both were that operator's money. An entry that fails a check stops the upgrade with an
// error naming it, before anything is written.
package v2

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// PendingV1 is the version 1 pending-payments collection (for the migration and its tests).
func PendingV1(storeService store.KVStoreService) collections.Map[string, sdkmath.Int] {
	return collections.NewMap(collections.NewSchemaBuilder(storeService), types.PendingKey, "pending",
		collections.StringKey, sdk.IntValue)
}

type entry struct {
	addr   sdk.AccAddress
	amount sdkmath.Int
}

// MigrateStore re-keys the pending payments of a version 1 store into pending (the version
// 2 collection over the same store). It returns how many version 1 entries it migrated.
func MigrateStore(ctx context.Context, storeService store.KVStoreService,
	pending collections.Map[sdk.AccAddress, sdkmath.Int],
) (int, error) {
	old := PendingV1(storeService)
	var oldKeys []string
	var merged []entry // in first-seen order: deterministic (v1 key order)
	index := map[string]int{}
	it, err := old.Iterate(ctx, nil)
	if err != nil {
		return 0, err
	}
	for ; it.Valid(); it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			it.Close()
			return 0, errorsmod.Wrapf(types.ErrInvalidAmount, "migrating x/payments to v2: reading a pending entry: %v", err)
		}
		addr, err := sdk.AccAddressFromBech32(kv.Key)
		if err != nil {
			it.Close()
			return 0, errorsmod.Wrapf(types.ErrInvalidAddress, "migrating x/payments to v2: pending key %q: %v", kv.Key, err)
		}
		if kv.Value.IsNil() || !kv.Value.IsPositive() {
			it.Close()
			return 0, errorsmod.Wrapf(types.ErrInvalidAmount, "migrating x/payments to v2: pending of %s is %v, not positive", kv.Key, kv.Value)
		}
		oldKeys = append(oldKeys, kv.Key)
		if i, ok := index[string(addr)]; ok {
			sum, err := merged[i].amount.SafeAdd(kv.Value)
			if err != nil {
				it.Close()
				return 0, errorsmod.Wrapf(types.ErrAmountOverflow, "migrating x/payments to v2: merging pending of %s: %v", kv.Key, err)
			}
			merged[i].amount = sum
			continue
		}
		index[string(addr)] = len(merged)
		merged = append(merged, entry{addr: addr, amount: kv.Value})
	}
	it.Close()
	// Collections iterators must not see their own writes: all reads are done above.
	for _, k := range oldKeys {
		if err := old.Remove(ctx, k); err != nil {
			return 0, err
		}
	}
	for _, e := range merged {
		if err := pending.Set(ctx, e.addr, e.amount); err != nil {
			return 0, err
		}
	}
	return len(oldKeys), nil
}
