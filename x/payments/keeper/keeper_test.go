package keeper_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/payments"
	"github.com/cortnet/cortd/x/payments/keeper"
	"github.com/cortnet/cortd/x/payments/types"
)

const denom = "ucor"

type fixture struct {
	*keepers.Base
	k   keeper.Keeper
	msg types.MsgServer
	q   types.QueryServer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	base := keepers.NewBase(t, map[string][]string{types.ModuleName: nil}, []string{types.StoreKey}, payments.AppModule{})
	k := keeper.NewKeeper(base.Cdc, base.StoreService(types.StoreKey), base.Bank, base.Account, base.Authority)
	require.NoError(t, k.InitGenesis(base.Ctx, &types.GenesisState{Params: types.Params{Denom: denom}}))
	return &fixture{Base: base, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k)}
}

var (
	alice = keepers.NewAddr("alice")
	bob   = keepers.NewAddr("bob")
	op1   = keepers.NewAddr("op1")
	op2   = keepers.NewAddr("op2")
)

func ints(v int64) sdkmath.Int { return sdkmath.NewInt(v) }

type snapshot struct {
	state    *types.GenesisState
	balances []sdk.Coin
}

func (f *fixture) snapshot(t testing.TB) snapshot {
	t.Helper()
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	var bals []sdk.Coin
	for _, a := range []sdk.AccAddress{alice, bob, op1, op2, f.Account.GetModuleAddress(types.ModuleName)} {
		bals = append(bals, f.Balance(a, denom))
	}
	return snapshot{gs, bals}
}

func (f *fixture) checkInvariant(t testing.TB) {
	t.Helper()
	msg, broken := keeper.AllInvariants(f.k)(f.Ctx)
	require.False(t, broken, msg)
}

func (f *fixture) balance(t testing.TB, id uint64) types.SessionBalance {
	t.Helper()
	b, err := f.k.GetBalance(f.Ctx, id)
	require.NoError(t, err)
	return b
}

func TestEscrowLifecycle(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 1000)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.ErrorIs(t, f.k.OpenSession(f.Ctx, 1, alice.String()), types.ErrSessionExists)
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(900)))
	require.Equal(t, int64(100), f.Balance(alice, denom).Amount.Int64())
	f.checkInvariant(t)

	// a task with redundancy 3 at price 100 reserves 300
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(300)))
	b := f.balance(t, 1)
	require.Equal(t, int64(600), b.Free.Int64())
	require.Equal(t, int64(300), b.Reserved.Int64())
	f.checkInvariant(t)

	// two of three validated: 200 paid, 100 back to free
	require.NoError(t, f.k.Settle(f.Ctx, 1, 7, ints(300), ints(100), []string{op1.String(), op2.String()}))
	b = f.balance(t, 1)
	require.Equal(t, int64(700), b.Free.Int64())
	require.True(t, b.Reserved.IsZero())
	require.Equal(t, int64(200), b.Paid.Int64())
	require.Equal(t, uint64(1), b.TasksSettled)
	p, err := f.k.GetPending(f.Ctx, op1.String())
	require.NoError(t, err)
	require.Equal(t, int64(100), p.Int64())
	f.checkInvariant(t)

	// release of an expired task's reservation
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(300)))
	require.NoError(t, f.k.Release(f.Ctx, 1, ints(300)))
	require.Equal(t, int64(700), f.balance(t, 1).Free.Int64())

	// refund
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(1)))
	_, err = f.k.Refund(f.Ctx, 1)
	require.ErrorIs(t, err, types.ErrReservedInFlight)
	require.NoError(t, f.k.Release(f.Ctx, 1, ints(1)))
	refunded, err := f.k.Refund(f.Ctx, 1)
	require.NoError(t, err)
	require.Equal(t, int64(700), refunded.Int64())
	require.Equal(t, int64(800), f.Balance(alice, denom).Amount.Int64())
	f.checkInvariant(t)

	// withdraw
	res, err := f.msg.WithdrawPayments(f.Ctx, &types.MsgWithdrawPayments{Operator: op1.String()})
	require.NoError(t, err)
	require.Equal(t, int64(100), res.Amount.Int64())
	require.Equal(t, int64(100), f.Balance(op1, denom).Amount.Int64())
	before := f.snapshot(t)
	_, err = f.msg.WithdrawPayments(f.Ctx, &types.MsgWithdrawPayments{Operator: op1.String()})
	require.ErrorIs(t, err, types.ErrNothingToWithdraw)
	require.Equal(t, before, f.snapshot(t))
	f.checkInvariant(t)

	// conservation: 1000 minted, all of it with alice, op1, op2 or the module
	total := f.Balance(alice, denom).Amount.Add(f.Balance(op1, denom).Amount).Add(f.Balance(op2, denom).Amount).
		Add(f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(types.ModuleName), denom).Amount)
	require.Equal(t, int64(1000), total.Int64())
}

func TestEscrowRejectionsLeaveStateUnchanged(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 100)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(50)))
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(20)))
	before := f.snapshot(t)
	for name, err := range map[string]error{
		"reserve over free":      f.k.Reserve(f.Ctx, 1, ints(31)),
		"reserve unknown":        f.k.Reserve(f.Ctx, 2, ints(1)),
		"negative reserve":       f.k.Reserve(f.Ctx, 1, ints(-1)),
		"deposit over balance":   f.k.Deposit(f.Ctx, 1, alice, ints(51)),
		"release over reserved":  f.k.Release(f.Ctx, 1, ints(21)),
		"settle over reserved":   f.k.Settle(f.Ctx, 1, 1, ints(20), ints(11), []string{op1.String(), op2.String()}),
		"settle with a bad addr": f.k.Settle(f.Ctx, 1, 1, ints(20), ints(1), []string{"cor1bad"}),
	} {
		require.Error(t, err, name)
		require.Equal(t, before, f.snapshot(t), name)
	}
	require.ErrorIs(t, f.k.Reserve(f.Ctx, 1, ints(31)), types.ErrInsufficientEscrow)
}

// TestTwoReservationsRaceForTheLastEscrow: the second of two reservations that each fit
// the free balance alone, but not together, fails.
func TestTwoReservationsRaceForTheLastEscrow(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 300)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(300)))
	require.NoError(t, f.k.Reserve(f.Ctx, 1, ints(200)))
	require.ErrorIs(t, f.k.Reserve(f.Ctx, 1, ints(200)), types.ErrInsufficientEscrow)
	require.Equal(t, int64(100), f.balance(t, 1).Free.Int64())
	f.checkInvariant(t)
}

// TestInvariantUnderRandomSequences is the property test: random deposits, reservations,
// settlements, releases, refunds and withdrawals never break the invariant, and no ucor
// is created or lost (minted total == held by actors + module account).
func TestInvariantUnderRandomSequences(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		f := newFixture(t)
		r := rand.New(rand.NewPCG(seed, seed*7))
		owners := []sdk.AccAddress{alice, bob}
		ops := []sdk.AccAddress{op1, op2}
		minted := int64(0)
		for _, o := range owners {
			f.Fund(t, o, sdk.NewCoins(sdk.NewInt64Coin(denom, 10_000)))
			minted += 10_000
		}
		type task struct {
			session  uint64
			reserved int64
			price    int64
			n        int
		}
		var tasks []task
		for s := uint64(1); s <= 3; s++ {
			require.NoError(t, f.k.OpenSession(f.Ctx, s, owners[s%2].String()))
		}
		for step := 0; step < 300; step++ {
			s := uint64(r.IntN(3) + 1)
			switch r.IntN(6) {
			case 0:
				_ = f.k.Deposit(f.Ctx, s, owners[s%2], ints(r.Int64N(2000)))
			case 1:
				price, n := r.Int64N(50), r.IntN(4)+1
				if f.k.Reserve(f.Ctx, s, ints(price*int64(n))) == nil {
					tasks = append(tasks, task{s, price * int64(n), price, n})
				}
			case 2, 3:
				if len(tasks) == 0 {
					continue
				}
				i := r.IntN(len(tasks))
				tk := tasks[i]
				var payees []string
				for j := 0; j < r.IntN(tk.n+1); j++ {
					payees = append(payees, ops[r.IntN(2)].String())
				}
				require.NoError(t, f.k.Settle(f.Ctx, tk.session, uint64(step+1), ints(tk.reserved), ints(tk.price), payees))
				tasks = append(tasks[:i], tasks[i+1:]...)
			case 4:
				_, _ = f.k.Refund(f.Ctx, s)
			case 5:
				_, _ = f.msg.WithdrawPayments(f.Ctx, &types.MsgWithdrawPayments{Operator: ops[r.IntN(2)].String()})
			}
			f.checkInvariant(t)
		}
		held := f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(types.ModuleName), denom).Amount.Int64()
		for _, a := range append(owners, ops...) {
			held += f.Balance(a, denom).Amount.Int64()
		}
		require.Equal(t, minted, held, "seed %d: ucor conserved", seed)
	}
}

func TestQueriesAndGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 100)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 4, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 4, alice, ints(100)))
	require.NoError(t, f.k.Reserve(f.Ctx, 4, ints(60)))
	require.NoError(t, f.k.Settle(f.Ctx, 4, 1, ints(60), ints(30), []string{op1.String()}))

	res, err := f.q.SessionBalance(f.Ctx, &types.QuerySessionBalanceRequest{SessionId: 4})
	require.NoError(t, err)
	require.Equal(t, int64(70), res.Balance.Free.Int64())
	require.Equal(t, int64(30), res.Balance.Paid.Int64())
	_, err = f.q.SessionBalance(f.Ctx, &types.QuerySessionBalanceRequest{SessionId: 5})
	require.Error(t, err)
	pp, err := f.q.PendingPayments(f.Ctx, &types.QueryPendingPaymentsRequest{Operator: op1.String()})
	require.NoError(t, err)
	require.Equal(t, int64(30), pp.Amount.Int64())

	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	g := newFixture(t)
	require.NoError(t, g.k.InitGenesis(g.Ctx, gs))
	gs2, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, gs2)
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t)
	_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: alice.String(), Params: types.Params{Denom: "uatom"}})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 10)))
	require.NoError(t, f.k.OpenSession(f.Ctx, 1, alice.String()))
	require.NoError(t, f.k.Deposit(f.Ctx, 1, alice, ints(10)))
	before := f.snapshot(t)
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: types.Params{Denom: "uatom"}})
	require.ErrorIs(t, err, types.ErrInvalidParams, "denom cannot change while escrow is held")
	require.Equal(t, before, f.snapshot(t))
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: types.Params{Denom: denom}})
	require.NoError(t, err)
}
