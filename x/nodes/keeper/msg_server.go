package keeper

import (
	"context"
	"slices"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/nodes Msg service. Every handler checks everything before
// its first write, so a rejected message changes no state.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

func emit(ctx context.Context, ev sdk.Msg) error {
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(ev)
}

// FundRewardsPool moves coins of the params denom from the sender to the rewards pool.
func (s msgServer) FundRewardsPool(ctx context.Context, msg *types.MsgFundRewardsPool) (*types.MsgFundRewardsPoolResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Amount.Denom != p.Denom {
		return nil, errorsmod.Wrapf(types.ErrInvalidDenom, "expected %s, got %s", p.Denom, msg.Amount.Denom)
	}
	sender := sdk.MustAccAddressFromBech32(msg.Sender)
	if err := s.bank.SendCoinsFromAccountToModule(ctx, sender, types.RewardsPoolName, sdk.NewCoins(msg.Amount)); err != nil {
		return nil, errorsmod.Wrapf(err, "funding rewards pool with %s", msg.Amount)
	}
	return &types.MsgFundRewardsPoolResponse{}, emit(ctx, &types.EventRewardsPoolFunded{Sender: msg.Sender, Amount: msg.Amount.String()})
}

// SetOperatorRoles replaces an operator's roles; authority only.
func (s msgServer) SetOperatorRoles(ctx context.Context, msg *types.MsgSetOperatorRoles) (*types.MsgSetOperatorRolesResponse, error) {
	if msg.Authority != s.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", s.authority, msg.Authority)
	}
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if uint64(len(msg.Roles)) > uint64(p.MaxRolesPerOperator) {
		return nil, errorsmod.Wrapf(types.ErrInvalidRoles, "%d roles, max %d", len(msg.Roles), p.MaxRolesPerOperator)
	}
	op, err := s.getOperator(ctx, msg.Operator)
	if err != nil {
		return nil, err
	}
	op.Roles = slices.Sorted(slices.Values(msg.Roles))
	if err := s.setOperator(ctx, op); err != nil {
		return nil, err
	}
	return &types.MsgSetOperatorRolesResponse{}, emit(ctx, &types.EventOperatorRolesSet{Operator: op.Address, Roles: op.Roles})
}

// UpdateParams replaces the params; authority only. The denom cannot change: stakes and
// rewards already held are accounted in it.
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
		return nil, errorsmod.Wrapf(types.ErrInvalidParams, "denom cannot change from %s", old.Denom)
	}
	if err := s.checkMintShareTotal(ctx, msg.Params.MintShare); err != nil {
		return nil, err
	}
	if err := s.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, emit(ctx, &types.EventParamsUpdated{Authority: msg.Authority})
}
