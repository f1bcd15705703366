package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// PostChallenge posts a challenge.
func (s msgServer) PostChallenge(ctx context.Context, msg *types.MsgPostChallenge) (*types.MsgPostChallengeResponse, error) {
	return s.Keeper.PostChallenge(ctx, msg)
}
