package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// SubmitScores submits an evaluator's scores.
func (s msgServer) SubmitScores(ctx context.Context, msg *types.MsgSubmitScores) (*types.MsgSubmitScoresResponse, error) {
	if err := s.Keeper.SubmitScores(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgSubmitScoresResponse{}, nil
}
