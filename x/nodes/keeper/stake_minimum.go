package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// A node whose stake is below its pool minimum gets no work, yet could keep heartbeating
// for uptime and top up just before a period ends. Every period in which the stake was
// under the minimum at some time is therefore disqualified (types.StakeBelowMinimumDuring):
// the node remembers since when it is under (stake_under_since), and the periods in
// which it went under or came back carry the under_min_stake flag.

// belowMinimum reports whether the node's stake is under its pool's minimum (or its pool
// no longer exists).
func belowMinimum(p types.Params, n types.Node) bool {
	pool, ok := p.Pool(n.PoolId)
	return !ok || n.Stake.LT(pool.MinStake)
}

// noteStakeFell marks n (already changed in memory, not yet stored) as under the minimum
// from the current height when a slash took it there. It returns whether the open
// period's counters must carry the flag.
func noteStakeFell(ctx context.Context, p types.Params, n *types.Node) bool {
	if n.StakeUnderSince != 0 || !belowMinimum(p, *n) {
		return false
	}
	n.StakeUnderSince = max(sdk.UnwrapSDKContext(ctx).BlockHeight(), 1) // 0 means "not under"
	return true
}

// noteStakeRestored clears n's under-minimum mark when a top-up brings the stake back to
// the minimum, flagging the open period and every closed period still waiting to score
// the node that ended after the stake fell (they were under the minimum too). Settlements
// are few (one per closed period not yet settled), so this is bounded.
func (k Keeper) noteStakeRestored(ctx context.Context, p types.Params, n *types.Node) error {
	if n.StakeUnderSince == 0 || belowMinimum(p, *n) {
		return nil
	}
	flag := func(s *types.PeriodStats) { s.UnderMinStake = true }
	if err := k.updateLiveStats(ctx, n.Id, flag); err != nil {
		return err
	}
	var periods []uint64
	if err := k.Settlements.Walk(ctx, nil, func(period uint64, s types.Settlement) (bool, error) {
		if period > n.LastSettledPeriod && s.EndHeight > n.StakeUnderSince {
			periods = append(periods, period)
		}
		return false, nil
	}); err != nil {
		return err
	}
	for _, period := range periods {
		key := collections.Join(period, n.Id)
		st, err := k.LiveStats.Get(ctx, key)
		if err != nil && !errors.Is(err, collections.ErrNotFound) {
			return err
		}
		flag(&st)
		if err := k.LiveStats.Set(ctx, key, st); err != nil {
			return err
		}
	}
	n.StakeUnderSince = 0
	return nil
}
