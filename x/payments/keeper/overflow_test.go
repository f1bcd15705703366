package keeper_test

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// maxInt is 2^256-1, the largest math.Int: one more and math.Int panics.
var maxInt = sdkmath.NewIntFromBigInt(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)))

// TestEscrowPathsRefuseOverflow: every escrow path (deposit, reserve, settle, refund,
// clawback, the tracked total behind a denom change) returns ErrAmountOverflow instead of
// panicking when a sum would pass 256 bits, and changes nothing. The balances are written
// directly: no honest sequence of messages gets there (x/sessions bounds prices), which
// is exactly why these paths must not trust their inputs.
func TestEscrowPathsRefuseOverflow(t *testing.T) {
	half := sdkmath.NewIntFromBigInt(new(big.Int).Lsh(big.NewInt(1), 255))
	cases := []struct {
		name  string
		setup func(f *fixture, b *types.SessionBalance)
		run   func(f *fixture) error
	}{
		{"deposit onto a full free balance", func(f *fixture, b *types.SessionBalance) { b.Free = maxInt },
			func(f *fixture) error { return f.k.Deposit(f.Ctx, 1, alice, ints(1)) }},
		{"deposit onto a full deposited total", func(f *fixture, b *types.SessionBalance) { b.Deposited = maxInt },
			func(f *fixture) error { return f.k.Deposit(f.Ctx, 1, alice, ints(1)) }},
		{"reserve onto a full reservation", func(f *fixture, b *types.SessionBalance) { b.Free = ints(1); b.Reserved = maxInt },
			func(f *fixture) error { return f.k.Reserve(f.Ctx, 1, ints(1)) }},
		{"settle price × payees", func(f *fixture, b *types.SessionBalance) { b.Reserved = maxInt },
			func(f *fixture) error {
				return f.k.Settle(f.Ctx, 1, 7, maxInt, half, []string{op1.String(), op2.String()})
			}},
		{"settle onto a full free balance", func(f *fixture, b *types.SessionBalance) { b.Reserved = ints(10); b.Free = maxInt },
			func(f *fixture) error { return f.k.Settle(f.Ctx, 1, 7, ints(10), ints(1), []string{op1.String()}) }},
		{"settle onto a full paid total", func(f *fixture, b *types.SessionBalance) { b.Reserved = ints(10); b.Paid = maxInt },
			func(f *fixture) error { return f.k.Settle(f.Ctx, 1, 7, ints(10), ints(1), []string{op1.String()}) }},
		{"settle onto a full pending balance", func(f *fixture, b *types.SessionBalance) {
			b.Reserved = ints(10)
			require.NoError(t, f.k.Pending.Set(f.Ctx, op1.String(), maxInt))
		}, func(f *fixture) error { return f.k.Settle(f.Ctx, 1, 7, ints(10), ints(1), []string{op1.String()}) }},
		{"settle a repeated payee past the limit", func(f *fixture, b *types.SessionBalance) {
			b.Reserved = ints(10)
			require.NoError(t, f.k.Pending.Set(f.Ctx, op1.String(), maxInt.SubRaw(1)))
		}, func(f *fixture) error {
			return f.k.Settle(f.Ctx, 1, 7, ints(10), ints(1), []string{op1.String(), op2.String(), op1.String()})
		}},
		{"refund onto a full refunded total", func(f *fixture, b *types.SessionBalance) { b.Refunded = maxInt; b.Free = ints(1) },
			func(f *fixture) error { _, err := f.k.Refund(f.Ctx, 1); return err }},
		{"clawback onto a full free balance", func(f *fixture, b *types.SessionBalance) {
			b.Free = maxInt
			require.NoError(t, f.k.Pending.Set(f.Ctx, op1.String(), ints(5)))
		}, func(f *fixture) error { _, err := f.k.Clawback(f.Ctx, 1, 7, op1.String(), ints(5)); return err }},
		{"denom change with an overflowing tracked total", func(f *fixture, b *types.SessionBalance) { b.Free = maxInt; b.Reserved = ints(1) },
			func(f *fixture) error {
				_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: types.Params{Denom: "uother"}})
				return err
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 100)))
			require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
			b := f.balance(t, 1)
			tc.setup(f, &b)
			require.NoError(t, f.k.Balances.Set(f.Ctx, 1, b))
			before := f.snapshot(t)
			require.NotPanics(t, func() { require.ErrorIs(t, tc.run(f), types.ErrAmountOverflow) })
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
}
