package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// Clawback takes a payment back from an operator (x/sessions, when a session audit finds
// the operator's node's result fraudulent): up to amount leaves the operator's pending
// payments and returns to the session's free balance, and the session's paid total drops
// by the same. Pending holds one total per operator, not per task, so the clawback takes
// from whatever the operator has not withdrawn; if it already withdrew, the shortfall
// (unrecovered) is not taken from anywhere: the slash of the node's stake is the
// deterrent. No coins move between accounts (pending and free are both in the module
// account), so the escrow invariant holds. Returns what was taken back. Checks run before
// the first write.
func (k Keeper) Clawback(ctx context.Context, sessionID, taskID uint64, operator string, amount sdkmath.Int) (sdkmath.Int, error) {
	if amount.IsNil() || amount.IsNegative() {
		return sdkmath.ZeroInt(), errorsmod.Wrapf(types.ErrInvalidAmount, "clawback %v", amount)
	}
	if _, err := sdk.AccAddressFromBech32(operator); err != nil {
		return sdkmath.ZeroInt(), errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", operator, err)
	}
	b, err := k.GetBalance(ctx, sessionID)
	if err != nil {
		return sdkmath.ZeroInt(), err
	}
	pending, err := k.GetPending(ctx, operator)
	if err != nil {
		return sdkmath.ZeroInt(), err
	}
	taken := sdkmath.MinInt(amount, pending)
	if taken.IsPositive() {
		free, err := checkedAdd("free", b.Free, taken)
		if err != nil {
			return sdkmath.ZeroInt(), err
		}
		if rest := pending.Sub(taken); rest.IsZero() {
			err = k.Pending.Remove(ctx, operator) // pending entries are never zero
		} else {
			err = k.Pending.Set(ctx, operator, rest)
		}
		if err != nil {
			return sdkmath.ZeroInt(), err
		}
		b.Free = free
		b.Paid = sdkmath.MaxInt(b.Paid.Sub(taken), sdkmath.ZeroInt()) // both >= 0: no overflow
		if err := k.Balances.Set(ctx, sessionID, b); err != nil {
			return sdkmath.ZeroInt(), err
		}
	}
	denom, err := k.Denom(ctx)
	if err != nil {
		return sdkmath.ZeroInt(), err
	}
	return taken, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPaymentClawedBack{
		SessionId: sessionID, TaskId: taskID, Operator: operator,
		ClawedBack: sdk.NewCoin(denom, taken).String(), Unrecovered: sdk.NewCoin(denom, amount.Sub(taken)).String(),
	})
}
