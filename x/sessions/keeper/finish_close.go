package keeper

import (
	"context"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// finishClose refunds a closing session with nothing in flight and marks it closed. The
// caller stores the session.
func (k Keeper) finishClose(ctx context.Context, sess *types.Session) (sdkmath.Int, error) {
	refunded, err := k.payments.Refund(ctx, sess.Id)
	if err != nil {
		return refunded, err
	}
	sess.Status = types.SESSION_STATUS_CLOSED
	sess.ClosedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	return refunded, emit(ctx, &types.EventSessionClosed{SessionId: sess.Id, Refunded: refunded.String()})
}
