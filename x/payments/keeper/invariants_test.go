package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/keeper"
	"github.com/cortnet/cortd/x/payments/types"
)

// escrowFixture holds one session (900 deposited, 300 reserved, then 200 of it paid to
// two operators): the module account holds 900 = free 700 + 100 pending to each operator.
func escrowFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 1000)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(900)))
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(300)))
	require.NoError(t, f.k.Settle(f.Ctx, 1, 7, ints(300), ints(100), []string{op1.String(), op2.String()}))
	f.checkInvariant(t)
	return f
}

func TestEscrowInvariantCatches(t *testing.T) {
	cases := map[string]func(t *testing.T, f *fixture){
		"free escrow grown without funds": func(t *testing.T, f *fixture) {
			b := f.balance(t, 1)
			b.Free = b.Free.AddRaw(1)
			require.NoError(t, f.k.Balances.Set(f.Ctx, 1, b))
		},
		"reservation lost": func(t *testing.T, f *fixture) {
			require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(50)))
			b := f.balance(t, 1)
			b.Reserved = b.Reserved.SubRaw(50)
			require.NoError(t, f.k.Balances.Set(f.Ctx, 1, b))
		},
		"pending payment invented": func(t *testing.T, f *fixture) {
			require.NoError(t, f.k.Pending.Set(f.Ctx, bob.String(), ints(5)))
		},
		"pending payment dropped": func(t *testing.T, f *fixture) {
			require.NoError(t, f.k.Pending.Remove(f.Ctx, op1.String()))
		},
		"coins stranded in the module account": func(t *testing.T, f *fixture) {
			f.Fund(t, bob, sdk.NewCoins(sdk.NewInt64Coin(denom, 3)))
			require.NoError(t, f.Bank.SendCoins(f.Ctx, bob, f.Account.GetModuleAddress(types.ModuleName), sdk.NewCoins(sdk.NewInt64Coin(denom, 3))))
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			f := escrowFixture(t)
			breakIt(t, f)
			for _, inv := range []func(keeper.Keeper) sdk.Invariant{keeper.EscrowInvariant, keeper.AllInvariants} {
				msg, broken := inv(f.k)(f.Ctx)
				require.True(t, broken, msg)
				require.Contains(t, msg, "escrow")
			}
		})
	}
}
