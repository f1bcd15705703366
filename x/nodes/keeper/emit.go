package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

func emit(ctx context.Context, ev sdk.Msg) error {
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(ev)
}
