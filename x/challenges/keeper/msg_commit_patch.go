package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// CommitPatch commits a patch hash.
func (s msgServer) CommitPatch(ctx context.Context, msg *types.MsgCommitPatch) (*types.MsgCommitPatchResponse, error) {
	if err := s.Keeper.CommitPatch(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgCommitPatchResponse{}, nil
}
