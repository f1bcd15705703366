package keeper

import (
	"context"
	"slices"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// operatorForPeriod returns the operator's record ready for settling period: at the
// first of its nodes visited in the period the qualified-node count restarts and the
// operator's roles are observed. Later nodes of the operator in the same period reuse
// both, so each operator costs the role observers one read per settled period.
func (k Keeper) operatorForPeriod(ctx context.Context, addr string, period uint64) (types.Operator, error) {
	op, err := k.getOperator(ctx, addr)
	if err != nil || op.SettlingPeriod == period {
		return op, err
	}
	op.SettlingPeriod, op.QualifiedNodes = period, 0
	return op, k.observeRoles(ctx, &op)
}

// observeRoles sets op.ObservedRoles to the roles whose activity counter grew since the
// last observation, and remembers the counters. A counter seen for the first time (a new
// operator, or a role observer added later) is only remembered: work done before x/nodes
// knew the operator does not make a role.
func (k Keeper) observeRoles(ctx context.Context, op *types.Operator) error {
	op.ObservedRoles = []string{}
	if len(k.sources.Roles) == 0 {
		return nil
	}
	addr, err := sdk.AccAddressFromBech32(op.Address)
	if err != nil {
		return err
	}
	activity := make([]types.RoleActivity, 0, len(k.sources.Roles))
	for _, obs := range k.sources.Roles {
		now, err := obs.Count(ctx, addr)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(op.Activity, func(a types.RoleActivity) bool { return a.Role == obs.Role() })
		if i >= 0 && now > op.Activity[i].Seen {
			op.ObservedRoles = append(op.ObservedRoles, obs.Role())
		}
		activity = append(activity, types.RoleActivity{Role: obs.Role(), Seen: now})
	}
	slices.Sort(op.ObservedRoles)
	op.Activity = activity
	return nil
}
