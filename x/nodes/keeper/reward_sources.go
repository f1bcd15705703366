package keeper

import (
	"context"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochskeeper "github.com/cosmos/cosmos-sdk/x/epochs/keeper"

	"github.com/cortnet/cortd/x/nodes/types"
)

// RewardSources are what settlement reads from other modules: the reward epoch's length
// and the observable roles. The app sets them once (SetRewardSources); a keeper without
// them counts every period as one month and observes no role.
type RewardSources struct {
	// Epochs gives the reward epoch's duration (x/epochs).
	Epochs types.EpochDurations
	// Roles are observed in this order for each operator once per settled period.
	Roles []types.RoleObserver
}

// rewardSources is shared by every copy of the keeper (the keeper is passed by value to
// modules and hooks before the app has built the keepers the sources read).
type rewardSources struct {
	set bool
	RewardSources
}

// SetRewardSources gives the keeper its reward sources. Call once, at app construction.
// Role names must be valid role ids and distinct; a wrong list is a programming error
// and panics, like NewKeeper's.
func (k Keeper) SetRewardSources(s RewardSources) {
	if k.sources.set {
		panic("x/nodes: SetRewardSources called twice")
	}
	seen := map[string]bool{}
	for _, r := range s.Roles {
		if types.ValidateRole(r.Role()) != nil || seen[r.Role()] {
			panic("x/nodes: invalid or duplicate observed role " + r.Role())
		}
		seen[r.Role()] = true
	}
	k.sources.set, k.sources.RewardSources = true, s
}

// periodSeconds is the nominal length of the reward epoch named by the params, in whole
// seconds; types.MonthSeconds when no epoch source is set.
func (k Keeper) periodSeconds(ctx context.Context, p types.Params) (uint64, error) {
	if k.sources.Epochs == nil {
		return types.MonthSeconds, nil
	}
	d, err := k.sources.Epochs.EpochDuration(ctx, p.RewardEpochIdentifier)
	if err != nil {
		return 0, err
	}
	return types.PeriodSeconds(d), nil
}

// EpochInfos reads epoch durations from the SDK's x/epochs keeper.
type EpochInfos struct {
	Keeper *epochskeeper.Keeper
}

// EpochDuration returns the duration of the epoch with the given identifier.
func (e EpochInfos) EpochDuration(ctx context.Context, identifier string) (time.Duration, error) {
	info, err := e.Keeper.GetEpochInfo(sdk.UnwrapSDKContext(ctx), identifier)
	if err != nil {
		return 0, err
	}
	return info.Duration, nil
}
