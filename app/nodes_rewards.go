package app

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	auditskeeper "github.com/cortnet/cortd/x/audits/keeper"
	challengeskeeper "github.com/cortnet/cortd/x/challenges/keeper"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// Roles x/nodes observes on chain, each worth role_bonus to a node operator whose
// account did that work in the period (see x/nodes README, Roles).
const (
	// RoleAuditor: the account completed audits (passed or reported) in x/audits.
	RoleAuditor = "auditor"
	// RoleEvaluator: the account's challenge scores agreed with the median in x/challenges.
	RoleEvaluator = "evaluator"
)

// nodesRewardSources is what x/nodes settlement reads from other modules: the reward
// epoch's length (x/epochs) and the observed roles. x/nodes depends on them only through
// the interfaces of x/nodes/types/expected_keepers_rewards.go; the adapters live here,
// where both sides are known.
func (app *App) nodesRewardSources() nodeskeeper.RewardSources {
	return nodeskeeper.RewardSources{
		Epochs: nodeskeeper.EpochInfos{Keeper: &app.EpochsKeeper},
		Roles: []nodestypes.RoleObserver{
			auditorRole{k: app.AuditsKeeper},
			evaluatorRole{k: app.ChallengesKeeper},
		},
	}
}

// saturatingAdd adds counters without wrapping around.
func saturatingAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

// auditorRole counts the audits an account completed (passed or reported as fraud).
type auditorRole struct{ k auditskeeper.Keeper }

func (auditorRole) Role() string { return RoleAuditor }

func (r auditorRole) Count(ctx context.Context, addr sdk.AccAddress) (uint64, error) {
	rec, err := r.k.AuditorRecords.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return saturatingAdd(rec.Passed, rec.Reported), nil
}

// evaluatorRole counts an evaluator's challenge scores that agreed with the median.
type evaluatorRole struct{ k challengeskeeper.Keeper }

func (evaluatorRole) Role() string { return RoleEvaluator }

func (r evaluatorRole) Count(ctx context.Context, addr sdk.AccAddress) (uint64, error) {
	rec, err := r.k.EvaluatorRecords.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return rec.Agreed, nil
}
