package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// RevealTests reveals the hidden tests.
func (s msgServer) RevealTests(ctx context.Context, msg *types.MsgRevealTests) (*types.MsgRevealTestsResponse, error) {
	return s.Keeper.RevealTests(ctx, msg)
}
