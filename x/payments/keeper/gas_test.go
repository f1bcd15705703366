package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// TestGasPerMessage logs the keeper gas of MsgWithdrawPayments and of the escrow calls
// x/sessions makes (for the README). Run with -v.
func TestGasPerMessage(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 1000)))
	gas := func(name string, fn func() error) {
		f.Ctx = f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		require.NoError(t, fn(), name)
		t.Logf("gas %-36s %d", name, f.Ctx.GasMeter().GasConsumed())
	}
	gas("OpenSession", func() error { return f.k.OpenSession(f.Ctx, 1, alice.String()) })
	gas("Deposit", func() error { return f.k.Deposit(f.Ctx, 1, alice, ints(900)) })
	gas("Reserve", func() error { return f.k.Reserve(f.Ctx, 1, ints(300)) })
	gas("Settle (2 payees)", func() error {
		return f.k.Settle(f.Ctx, 1, 1, ints(300), ints(100), []string{op1.String(), op2.String()})
	})
	gas("MsgWithdrawPayments", func() error {
		_, err := f.msg.WithdrawPayments(f.Ctx, &types.MsgWithdrawPayments{Operator: op1.String()})
		return err
	})
	gas("Refund", func() error { _, err := f.k.Refund(f.Ctx, 1); return err })
}
