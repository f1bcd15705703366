package types

import (
	"context"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// EpochDurations tells the nominal duration of an x/epochs epoch (the reward period's
// length). x/epochs ends an epoch when block time passes start + duration and moves the
// next start by exactly duration, so the nominal duration is the period's length whatever
// the block times.
type EpochDurations interface {
	EpochDuration(ctx context.Context, identifier string) (time.Duration, error)
}

// RoleObserver makes one role observable on chain: a cumulative counter of the work an
// account did in that role (for example audits completed in x/audits, challenge scores in
// agreement in x/challenges). Counters only grow; an operator holds the role in a period
// when its counter grew since the last observation.
type RoleObserver interface {
	// Role is the role's name, counted once with a governance-granted role of the same name.
	Role() string
	// Count is the account's counter now (0 for an account that never did the work).
	Count(ctx context.Context, addr sdk.AccAddress) (uint64, error)
}
