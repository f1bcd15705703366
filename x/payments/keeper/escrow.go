package keeper

import (
	"context"
	"fmt"
	"slices"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// The escrow API used by x/sessions. Every function checks everything before its first
// write, so an error leaves state unchanged; the bank transfer, when there is one, is the
// first write.

// OpenSession creates the empty escrow of a new session owned by owner.
func (k Keeper) OpenSession(ctx context.Context, sessionID uint64, owner string) error {
	if has, err := k.Balances.Has(ctx, sessionID); err != nil {
		return err
	} else if has {
		return errorsmod.Wrapf(types.ErrSessionExists, "%d", sessionID)
	}
	if _, err := sdk.AccAddressFromBech32(owner); err != nil {
		return errorsmod.Wrapf(types.ErrInvalidAddress, "owner %q: %v", owner, err)
	}
	zero := sdkmath.ZeroInt()
	return k.Balances.Set(ctx, sessionID, types.SessionBalance{
		SessionId: sessionID, Owner: owner, Free: zero, Reserved: zero, Deposited: zero, Paid: zero, Refunded: zero,
	})
}

// Deposit moves amount from `from` into the session's free escrow.
func (k Keeper) Deposit(ctx context.Context, sessionID uint64, from sdk.AccAddress, amount sdkmath.Int) error {
	if amount.IsNil() || amount.IsNegative() {
		return errorsmod.Wrapf(types.ErrInvalidAmount, "deposit %v", amount)
	}
	b, err := k.GetBalance(ctx, sessionID)
	if err != nil {
		return err
	}
	if amount.IsZero() {
		return nil
	}
	free, err := checkedAdd("free", b.Free, amount)
	if err != nil {
		return err
	}
	deposited, err := checkedAdd("deposited", b.Deposited, amount)
	if err != nil {
		return err
	}
	denom, err := k.Denom(ctx)
	if err != nil {
		return err
	}
	coin := sdk.NewCoin(denom, amount)
	if err := k.bank.SendCoinsFromAccountToModule(ctx, from, types.ModuleName, sdk.NewCoins(coin)); err != nil {
		return errorsmod.Wrapf(err, "escrowing %s", coin)
	}
	b.Free, b.Deposited = free, deposited
	if err := k.Balances.Set(ctx, sessionID, b); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeposited{
		SessionId: sessionID, Depositor: from.String(), Amount: coin.String(),
	})
}

// Reserve moves amount from free to reserved, or fails with ErrInsufficientEscrow when
// free < amount. Reserving at submission is what keeps two tasks from spending the same
// ucor: the second of two racing tasks finds the first's reservation already taken.
func (k Keeper) Reserve(ctx context.Context, sessionID uint64, amount sdkmath.Int) error {
	if amount.IsNil() || amount.IsNegative() {
		return errorsmod.Wrapf(types.ErrInvalidAmount, "reserve %v", amount)
	}
	b, err := k.GetBalance(ctx, sessionID)
	if err != nil {
		return err
	}
	if b.Free.LT(amount) {
		return errorsmod.Wrapf(types.ErrInsufficientEscrow, "session %d: free %s < %s", sessionID, b.Free, amount)
	}
	reserved, err := checkedAdd("reserved", b.Reserved, amount)
	if err != nil {
		return err
	}
	b.Free = b.Free.Sub(amount) // free >= amount: checked above
	b.Reserved = reserved
	return k.Balances.Set(ctx, sessionID, b)
}

// Release returns amount of the reservation to free (a task that expired or failed).
func (k Keeper) Release(ctx context.Context, sessionID uint64, amount sdkmath.Int) error {
	return k.Settle(ctx, sessionID, 0, amount, sdkmath.ZeroInt(), nil)
}

// Settle ends a task that reserved `reserved`: each payee (an operator, once per validated
// result, repeats allowed) is credited price in pending payments, and the rest of the
// reservation returns to the session's free balance. price × len(payees) must not exceed
// reserved. taskID 0 means a plain release (no event, not counted as a settled task).
func (k Keeper) Settle(ctx context.Context, sessionID, taskID uint64, reserved, price sdkmath.Int, payees []string) error {
	if reserved.IsNil() || reserved.IsNegative() || price.IsNil() || price.IsNegative() {
		return errorsmod.Wrapf(types.ErrInvalidAmount, "reserved %v, price %v", reserved, price)
	}
	b, err := k.GetBalance(ctx, sessionID)
	if err != nil {
		return err
	}
	if b.Reserved.LT(reserved) {
		return errorsmod.Wrapf(types.ErrOverRelease, "session %d: reserved %s < %s", sessionID, b.Reserved, reserved)
	}
	paid, err := checkedMul("price × payees", price, len(payees))
	if err != nil {
		return err
	}
	if paid.GT(reserved) {
		return errorsmod.Wrapf(types.ErrOverRelease, "paying %s out of a %s reservation", paid, reserved)
	}
	for _, p := range payees {
		if _, err := sdk.AccAddressFromBech32(p); err != nil {
			return errorsmod.Wrapf(types.ErrInvalidAddress, "payee %q: %v", p, err)
		}
	}
	returned := reserved.Sub(paid) // paid <= reserved: checked above
	free, err := checkedAdd("free", b.Free, returned)
	if err != nil {
		return err
	}
	totalPaid, err := checkedAdd("paid", b.Paid, paid)
	if err != nil {
		return err
	}
	credits, err := k.pendingCredits(ctx, price, payees)
	if err != nil {
		return err
	}
	b.Reserved = b.Reserved.Sub(reserved) // b.Reserved >= reserved: checked above
	b.Free, b.Paid = free, totalPaid
	if len(payees) > 0 || taskID != 0 {
		b.TasksSettled++
	}
	if err := k.Balances.Set(ctx, sessionID, b); err != nil {
		return err
	}
	for _, c := range credits {
		if err := k.Pending.Set(ctx, c.operator, c.pending); err != nil {
			return err
		}
	}
	if taskID == 0 {
		return nil
	}
	denom, err := k.Denom(ctx)
	if err != nil {
		return err
	}
	ev := &types.EventTaskSettled{
		SessionId: sessionID, TaskId: taskID, Payees: payees,
		Price: sdk.NewCoin(denom, price).String(), Returned: sdk.NewCoin(denom, returned).String(),
	}
	sdk.UnwrapSDKContext(ctx).EventManager().EmitEvent(ev.ABCIEvent()) // as EmitTypedEvent would, without its JSON round trip
	return nil
}

// pendingCredit is an operator's pending total after a settlement.
type pendingCredit struct {
	operator string
	pending  sdkmath.Int
}

// pendingCredits computes, before any write, each payee's pending total after being
// credited price once per appearance in payees (repeats allowed), in first-appearance
// order, overflow-checked. A zero price credits nothing (pending entries are never zero).
func (k Keeper) pendingCredits(ctx context.Context, price sdkmath.Int, payees []string) ([]pendingCredit, error) {
	if !price.IsPositive() {
		return nil, nil
	}
	var credits []pendingCredit
	for _, p := range payees {
		i := slices.IndexFunc(credits, func(c pendingCredit) bool { return c.operator == p })
		if i < 0 {
			cur, err := k.GetPending(ctx, p)
			if err != nil {
				return nil, err
			}
			credits = append(credits, pendingCredit{operator: p, pending: cur})
			i = len(credits) - 1
		}
		next, err := checkedAdd("pending of "+p, credits[i].pending, price)
		if err != nil {
			return nil, err
		}
		credits[i].pending = next
	}
	return credits, nil
}

// Refund sends the session's whole free balance to its owner. It fails with
// ErrReservedInFlight while any task still holds a reservation.
func (k Keeper) Refund(ctx context.Context, sessionID uint64) (sdkmath.Int, error) {
	b, err := k.GetBalance(ctx, sessionID)
	if err != nil {
		return sdkmath.Int{}, err
	}
	if !b.Reserved.IsZero() {
		return sdkmath.Int{}, errorsmod.Wrapf(types.ErrReservedInFlight, "session %d: %s reserved", sessionID, b.Reserved)
	}
	amount := b.Free
	refunded, err := checkedAdd("refunded", b.Refunded, amount)
	if err != nil {
		return sdkmath.Int{}, err
	}
	if amount.IsPositive() {
		denom, err := k.Denom(ctx)
		if err != nil {
			return sdkmath.Int{}, err
		}
		coin := sdk.NewCoin(denom, amount)
		owner, err := sdk.AccAddressFromBech32(b.Owner)
		if err != nil {
			return sdkmath.Int{}, fmt.Errorf("stored owner %q: %w", b.Owner, err)
		}
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, owner, sdk.NewCoins(coin)); err != nil {
			return sdkmath.Int{}, errorsmod.Wrapf(err, "refunding %s", coin)
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRefunded{
			SessionId: sessionID, Owner: b.Owner, Amount: coin.String(),
		}); err != nil {
			return sdkmath.Int{}, err
		}
	}
	b.Free = sdkmath.ZeroInt()
	b.Refunded = refunded
	return amount, k.Balances.Set(ctx, sessionID, b)
}
