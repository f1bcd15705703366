package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/payments"
	"github.com/cortnet/cortd/x/payments/keeper"
	v2 "github.com/cortnet/cortd/x/payments/migrations/v2"
	"github.com/cortnet/cortd/x/payments/types"
)

// toV1 rewrites every pending entry the way a consensus version 1 binary stored it: under
// the operator's bech32 string. It returns the entries.
func (f *fixture) toV1(t *testing.T) map[string]sdkmath.Int {
	t.Helper()
	want := map[string]sdkmath.Int{}
	require.NoError(t, f.k.Pending.Walk(f.Ctx, nil, func(op string, v sdkmath.Int) (bool, error) {
		want[op] = v
		return false, nil
	}))
	require.NoError(t, f.k.Pending.Map.Clear(f.Ctx, nil))
	old := v2.PendingV1(f.StoreService(types.StoreKey))
	for op, v := range want {
		require.NoError(t, old.Set(f.Ctx, op, v))
	}
	return want
}

// addV1Pending stores amount for op in the version 1 layout and puts the ucor behind it in
// the module account, as a version 1 settlement would have.
func (f *fixture) addV1Pending(t *testing.T, op string, amount int64) {
	t.Helper()
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom, amount))
	require.NoError(t, f.Bank.MintCoins(f.Ctx, minttypes.ModuleName, coins))
	require.NoError(t, f.Bank.SendCoinsFromModuleToModule(f.Ctx, minttypes.ModuleName, types.ModuleName, coins))
	require.NoError(t, v2.PendingV1(f.StoreService(types.StoreKey)).Set(f.Ctx, op, ints(amount)))
}

// rawPendingKeys returns the stored keys under the pending prefix, prefix stripped.
func (f *fixture) rawPendingKeys(t *testing.T) [][]byte {
	t.Helper()
	store := f.Ctx.KVStore(f.Keys[types.StoreKey])
	it := storetypes.KVStorePrefixIterator(store, types.PendingKey)
	defer it.Close()
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()[len(types.PendingKey):]...))
	}
	return keys
}

// populated builds a version 1 store: two sessions with escrow, settled tasks that paid
// op1 and op2, a clawback, and 150 more operators' pending payments.
func populatedV1(t *testing.T) (*fixture, map[string]sdkmath.Int) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 10_000)))
	f.Fund(t, bob, sdk.NewCoins(sdk.NewInt64Coin(denom, 10_000)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.NoError(t, f.k.OpenSession(f.Ctx, 2, bob.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(5_000)))
	require.NoError(t, f.k.Deposit(f.Ctx, 2, bob, ints(3_000)))
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(900)))
	require.NoError(t, f.k.Settle(f.Ctx, 1, 1, ints(900), ints(300), []string{op1.String(), op2.String(), op1.String()}))
	require.NoError(t, f.k.Reserve(f.Ctx, 2, ints(600)))
	require.NoError(t, f.k.Settle(f.Ctx, 2, 2, ints(600), ints(200), []string{op2.String()}))
	_, err := f.k.Clawback(f.Ctx, 2, 2, op2.String(), ints(50))
	require.NoError(t, err)
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(100))) // a task in flight
	want := f.toV1(t)
	for i := range 150 {
		op := keepers.NewAddr(fmt.Sprintf("operator-%03d", i)).String()
		f.addV1Pending(t, op, int64(1+i*7))
		want[op] = ints(int64(1 + i*7))
	}
	f.checkInvariantV1(t, want)
	return f, want
}

// checkInvariantV1: the escrow identity on a version 1 store (the keeper reads version 2
// keys, so sum the expected pending by hand).
func (f *fixture) checkInvariantV1(t *testing.T, pending map[string]sdkmath.Int) {
	t.Helper()
	total := sdkmath.ZeroInt()
	require.NoError(t, f.k.Balances.Walk(f.Ctx, nil, func(_ uint64, b types.SessionBalance) (bool, error) {
		total = total.Add(b.Free).Add(b.Reserved)
		return false, nil
	}))
	for _, v := range pending {
		total = total.Add(v)
	}
	require.Equal(t, total, f.Balance(f.Account.GetModuleAddress(types.ModuleName), denom).Amount)
}

func TestMigrate1to2RekeysPendingPayments(t *testing.T) {
	require.Equal(t, uint64(2), payments.AppModule{}.ConsensusVersion())
	f, want := populatedV1(t)
	balancesBefore, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	// Why the migration exists: a version 2 keeper takes each version 1 key (the bech32
	// text) for raw account bytes, so it sees no operator of the store, only garbage ones.
	require.Len(t, balancesBefore.Pending, len(want))
	for _, p := range balancesBefore.Pending {
		_, known := want[p.Operator]
		require.False(t, known, "version 1 key read as operator %s", p.Operator)
	}
	got, err := f.k.GetPending(f.Ctx, op1.String())
	require.NoError(t, err)
	require.True(t, got.IsZero())

	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(f.Ctx))

	for op, v := range want {
		got, err := f.k.GetPending(f.Ctx, op)
		require.NoError(t, err)
		require.Equal(t, v, got, "pending of %s", op)
	}
	require.Equal(t, ints(600), want[op1.String()])
	keys := f.rawPendingKeys(t)
	require.Len(t, keys, len(want), "one entry per operator, no version 1 key left")
	for _, k := range keys {
		require.Len(t, k, 20, "key %x is an account's bytes", k)
	}
	after, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, balancesBefore.Balances, after.Balances, "session escrows untouched")
	require.Equal(t, balancesBefore.Params, after.Params)
	require.Len(t, after.Pending, len(want))
	f.checkInvariant(t)

	// The migrated entries are live: a settlement adds to one, a withdrawal pays one.
	require.NoError(t, f.k.Settle(f.Ctx, 1, 3, ints(100), ints(100), []string{op1.String()}))
	got, err = f.k.GetPending(f.Ctx, op1.String())
	require.NoError(t, err)
	require.Equal(t, ints(700), got)
	res, err := f.msg.WithdrawPayments(f.Ctx, &types.MsgWithdrawPayments{Operator: op2.String()})
	require.NoError(t, err)
	require.Equal(t, want[op2.String()], res.Amount)
	require.Equal(t, want[op2.String()], f.Balance(op2, denom).Amount)
	f.checkInvariant(t)
}

// TestMigrate1to2MergesSameAccount: an upper-case bech32 key and the canonical one name the
// same account; both amounts are that operator's, so they are added.
func TestMigrate1to2MergesSameAccount(t *testing.T) {
	f := newFixture(t)
	f.addV1Pending(t, op1.String(), 5)
	f.addV1Pending(t, strings.ToUpper(op1.String()), 7)
	f.addV1Pending(t, op2.String(), 3)
	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(f.Ctx))
	got, err := f.k.GetPending(f.Ctx, op1.String())
	require.NoError(t, err)
	require.Equal(t, ints(12), got)
	require.Len(t, f.rawPendingKeys(t), 2)
	f.checkInvariant(t)
}

func TestMigrate1to2Refuses(t *testing.T) {
	cases := []struct {
		name, key string
		amount    sdkmath.Int
		err       error
	}{
		{"key not an address", "not-an-address", ints(5), types.ErrInvalidAddress},
		{"key with another prefix", sdk.MustBech32ifyAddressBytes("cosmos", op2), ints(5), types.ErrInvalidAddress},
		{"zero amount", op2.String(), sdkmath.ZeroInt(), types.ErrInvalidAmount},
		{"negative amount", op2.String(), ints(-1), types.ErrInvalidAmount},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.addV1Pending(t, op1.String(), 5)
			old := v2.PendingV1(f.StoreService(types.StoreKey))
			require.NoError(t, old.Set(f.Ctx, tc.key, tc.amount))
			before := f.rawPendingKeys(t)
			err := keeper.NewMigrator(f.k).Migrate1to2(f.Ctx)
			require.ErrorIs(t, err, tc.err)
			require.Contains(t, err.Error(), tc.key, "the error names the entry")
			require.Equal(t, before, f.rawPendingKeys(t), "nothing written")
			v, err := old.Get(f.Ctx, op1.String())
			require.NoError(t, err)
			require.Equal(t, ints(5), v, "version 1 entries still readable")
		})
	}
}

// TestModuleRunsMigration: the module registers Migrate1to2, so an upgrade from version 1
// (RunMigrations with payments at 1) re-keys the store, and from version 2 does nothing.
func TestModuleRunsMigration(t *testing.T) {
	f, want := populatedV1(t)
	reg := codectypes.NewInterfaceRegistry()
	types.RegisterInterfaces(reg)
	msgRouter := baseapp.NewMsgServiceRouter()
	msgRouter.SetInterfaceRegistry(reg)
	queryRouter := baseapp.NewGRPCQueryRouter()
	queryRouter.SetInterfaceRegistry(reg)
	cfg := module.NewConfigurator(f.Cdc, msgRouter, queryRouter)
	am := payments.NewAppModule(f.Cdc, f.k)
	am.RegisterServices(cfg)
	mm := module.NewManager(am)

	vm, err := mm.RunMigrations(f.Ctx, cfg, module.VersionMap{types.ModuleName: 1})
	require.NoError(t, err)
	require.Equal(t, uint64(2), vm[types.ModuleName])
	got, err := f.k.GetPending(f.Ctx, op2.String())
	require.NoError(t, err)
	require.Equal(t, want[op2.String()], got)

	// Already at 2: a version 1 entry written now would stay unread (not migrated twice).
	f.addV1Pending(t, keepers.NewAddr("late").String(), 9)
	_, err = mm.RunMigrations(f.Ctx, cfg, module.VersionMap{types.ModuleName: 2})
	require.NoError(t, err)
	require.Len(t, f.rawPendingKeys(t), len(want)+1)
}
