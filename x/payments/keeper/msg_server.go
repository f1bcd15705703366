package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/payments Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

// WithdrawPayments pays the operator's whole pending balance out of the module account.
func (s msgServer) WithdrawPayments(ctx context.Context, msg *types.MsgWithdrawPayments) (*types.MsgWithdrawPaymentsResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	amount, err := s.GetPending(ctx, msg.Operator)
	if err != nil {
		return nil, err
	}
	if !amount.IsPositive() {
		return nil, errorsmod.Wrapf(types.ErrNothingToWithdraw, "%s", msg.Operator)
	}
	denom, err := s.Denom(ctx)
	if err != nil {
		return nil, err
	}
	coin := sdk.NewCoin(denom, amount)
	if err := s.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, sdk.MustAccAddressFromBech32(msg.Operator), sdk.NewCoins(coin)); err != nil {
		return nil, errorsmod.Wrapf(err, "paying %s", coin)
	}
	if err := s.Pending.Remove(ctx, msg.Operator); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPaymentsWithdrawn{
		Operator: msg.Operator, Amount: coin.String(),
	}); err != nil {
		return nil, err
	}
	return &types.MsgWithdrawPaymentsResponse{Amount: amount}, nil
}

// UpdateParams replaces the params; authority only. Changing the denom while escrow is
// held would strand it, so the denom may only change while the module holds nothing.
func (s msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != s.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", s.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	old, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if old.Denom != msg.Params.Denom {
		total, err := s.trackedTotal(ctx)
		if err != nil {
			return nil, err
		}
		if !total.IsZero() {
			return nil, errorsmod.Wrapf(types.ErrInvalidParams, "denom cannot change while %s%s is held", total, old.Denom)
		}
	}
	if err := s.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: msg.Authority}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}

// trackedTotal is Σ(free + reserved) over sessions + Σ pending over operators.
func (k Keeper) trackedTotal(ctx context.Context) (sdkmath.Int, error) {
	total := sdkmath.ZeroInt()
	err := k.Balances.Walk(ctx, nil, func(_ uint64, b types.SessionBalance) (bool, error) {
		held, err := checkedAdd("free + reserved", b.Free, b.Reserved)
		if err == nil {
			total, err = checkedAdd("tracked total", total, held)
		}
		return err != nil, err
	})
	if err != nil {
		return total, err
	}
	err = k.Pending.Walk(ctx, nil, func(_ string, v sdkmath.Int) (bool, error) {
		var err error
		total, err = checkedAdd("tracked total", total, v)
		return err != nil, err
	})
	return total, err
}
