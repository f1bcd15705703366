package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// SetOptIn opts a node in to or out of invitations.
func (s msgServer) SetOptIn(ctx context.Context, msg *types.MsgSetOptIn) (*types.MsgSetOptInResponse, error) {
	if err := s.Keeper.SetOptIn(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgSetOptInResponse{}, nil
}
