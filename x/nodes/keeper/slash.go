package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// SlashNode takes fraction (0 < fraction <= 1) of a node's stake, also while it unbonds,
// and sends it to the community pool. Accrued rewards are not touched. Callers (x/sessions
// on a session audit's fraud outcome) pass a short reason for the event. Returns the amount
// slashed. A slash can leave the stake below the pool minimum: the node then gets no work
// until its operator adds stake. A slash is proven misbehaviour, so besides the stake it
// costs the node one level at once (not waiting for the period's settlement), restarts its
// promotion streak, and is counted in the open period's stats (`slashes`), which the
// period record keeps as history.
func (k Keeper) SlashNode(ctx context.Context, nodeID string, fraction sdkmath.LegacyDec, reason string) (sdkmath.Int, error) {
	if fraction.IsNil() || !fraction.IsPositive() || fraction.GT(sdkmath.LegacyOneDec()) {
		return sdkmath.ZeroInt(), errorsmod.Wrapf(types.ErrInvalidSlash, "fraction %v must be in (0, 1]", fraction)
	}
	n, err := k.GetNode(ctx, nodeID)
	if err != nil {
		return sdkmath.ZeroInt(), err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return sdkmath.ZeroInt(), err
	}
	amount := fraction.MulInt(n.Stake).TruncateInt()
	if amount.IsPositive() {
		coins := sdk.NewCoins(sdk.NewCoin(p.Denom, amount))
		if err := k.community.FundCommunityPool(ctx, coins, k.moduleAddress()); err != nil {
			return sdkmath.ZeroInt(), errorsmod.Wrap(err, "sending slashed stake to the community pool")
		}
		n.Stake = n.Stake.Sub(amount)
	}
	levelBefore := n.Level
	if n.Level > 0 {
		n.Level--
	}
	n.PromotionStreak = 0
	fell := noteStakeFell(ctx, p, &n)
	if err := k.Nodes.Set(ctx, n.Id, n); err != nil {
		return sdkmath.ZeroInt(), err
	}
	if err := k.updateLiveStats(ctx, n.Id, func(s *types.PeriodStats) {
		s.Slashes++
		s.UnderMinStake = s.UnderMinStake || fell
	}); err != nil {
		return sdkmath.ZeroInt(), err
	}
	err = sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventNodeSlashed{
		NodeId: n.Id, Fraction: fraction.String(), Amount: sdk.NewCoin(p.Denom, amount).String(), Reason: reason,
		LevelBefore: levelBefore, LevelAfter: n.Level,
	})
	return amount, err
}
