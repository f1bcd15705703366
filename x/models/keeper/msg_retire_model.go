package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/models/types"
)

// RetireModel marks a model retired and refunds its deposit to the owner. Only the owner
// or the authority may retire; retiring twice is an error.
func (s msgServer) RetireModel(ctx context.Context, msg *types.MsgRetireModel) (*types.MsgRetireModelResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	model, err := s.GetModel(ctx, msg.Id)
	if err != nil {
		return nil, err
	}
	if msg.Sender != model.Owner && msg.Sender != s.authority {
		return nil, errorsmod.Wrapf(types.ErrNotOwner, "model %q is owned by %s", model.Id, model.Owner)
	}
	if model.Status == types.MODEL_STATUS_RETIRED {
		return nil, errorsmod.Wrapf(types.ErrAlreadyRetired, "%q", model.Id)
	}

	refund := model.Deposit
	if refund.IsPositive() {
		owner := sdk.MustAccAddressFromBech32(model.Owner)
		if err := s.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, owner, sdk.NewCoins(refund)); err != nil {
			return nil, errorsmod.Wrapf(err, "refunding deposit %s", refund)
		}
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	model.Status = types.MODEL_STATUS_RETIRED
	model.RetiredHeight = sdkCtx.BlockHeight()
	model.Deposit = sdk.NewCoin(refund.Denom, sdkmath.ZeroInt())
	if err := s.Models.Set(ctx, model.Id, model); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventModelRetired{
		Id: model.Id, Owner: model.Owner, RetiredBy: msg.Sender, Refunded: refund.String(),
	}); err != nil {
		return nil, err
	}
	return &types.MsgRetireModelResponse{}, nil
}
