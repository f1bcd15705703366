package keeper

import (
	"context"
	"slices"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/nodes/types"
)

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
