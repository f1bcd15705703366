package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// TestClawback: a clawback moves up to the amount from the operator's pending payments to
// the session's free balance (paid drops by the same), removes a pending entry it empties,
// takes only what is left after a withdrawal, and moves no coins between accounts.
func TestClawback(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 1000)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(1000)))
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(300)))
	require.NoError(t, f.k.Settle(f.Ctx, 1, 7, ints(300), ints(100), []string{op1.String(), op2.String(), op1.String()}))
	module := f.Balance(f.Account.GetModuleAddress(types.ModuleName), denom)

	// op1 earned 200: a clawback of 100 leaves 100 pending
	got, err := f.k.Clawback(f.Ctx, 1, 7, op1.String(), ints(100))
	require.NoError(t, err)
	require.Equal(t, ints(100), got)
	pending, err := f.k.GetPending(f.Ctx, op1.String())
	require.NoError(t, err)
	require.Equal(t, ints(100), pending)
	b := f.balance(t, 1)
	require.Equal(t, ints(800), b.Free)
	require.Equal(t, ints(200), b.Paid)
	f.checkInvariant(t)

	// op2 withdrew its 100 and earns nothing since: nothing to take, all unrecovered
	_, err = f.msg.WithdrawPayments(f.Ctx, &types.MsgWithdrawPayments{Operator: op2.String()})
	require.NoError(t, err)
	module = module.SubAmount(ints(100))
	got, err = f.k.Clawback(f.Ctx, 1, 7, op2.String(), ints(100))
	require.NoError(t, err)
	require.True(t, got.IsZero())
	require.Equal(t, ints(800), f.balance(t, 1).Free)

	// taking the last of op1's pending removes the entry (pending entries are never zero)
	got, err = f.k.Clawback(f.Ctx, 1, 7, op1.String(), ints(250))
	require.NoError(t, err)
	require.Equal(t, ints(100), got, "only what is pending")
	has, err := f.k.Pending.Has(f.Ctx, op1.String())
	require.NoError(t, err)
	require.False(t, has)
	require.Equal(t, ints(900), f.balance(t, 1).Free)
	require.Equal(t, module, f.Balance(f.Account.GetModuleAddress(types.ModuleName), denom), "no coins moved")
	f.checkInvariant(t)
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
}

// TestClawbackRejects: bad amounts, a bad operator address and an unknown session are
// refused and change nothing.
func TestClawbackRejects(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 1000)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(1000)))
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(100)))
	require.NoError(t, f.k.Settle(f.Ctx, 1, 7, ints(100), ints(100), []string{op1.String()}))
	before := f.snapshot(t)
	for name, c := range map[string]struct {
		session  uint64
		operator string
		amount   sdkmath.Int
		err      error
	}{
		"negative":        {1, op1.String(), ints(-1), types.ErrInvalidAmount},
		"nil amount":      {1, op1.String(), sdkmath.Int{}, types.ErrInvalidAmount},
		"bad operator":    {1, "cor1nope", ints(100), types.ErrInvalidAddress},
		"unknown session": {9, op1.String(), ints(100), types.ErrSessionNotFound},
	} {
		_, err := f.k.Clawback(f.Ctx, c.session, 7, c.operator, c.amount)
		require.ErrorIs(t, err, c.err, name)
		require.Equal(t, before, f.snapshot(t), name)
	}
}
