package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// RevealPatch reveals a patch.
func (s msgServer) RevealPatch(ctx context.Context, msg *types.MsgRevealPatch) (*types.MsgRevealPatchResponse, error) {
	if err := s.Keeper.RevealPatch(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgRevealPatchResponse{}, nil
}
