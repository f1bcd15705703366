package types

import (
	"slices"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// validateRewardState checks a node's reward bookkeeping: the carried remainder is below
// one month of seconds (PeriodAmount's invariant) and the under-minimum height is a height.
func (n Node) validateRewardState() error {
	if n.RewardCarry >= MonthSeconds {
		return errorsmod.Wrapf(ErrInvalidGenesis, "node %q reward_carry %d must be < %d", n.Id, n.RewardCarry, MonthSeconds)
	}
	if n.StakeUnderSince < 0 {
		return errorsmod.Wrapf(ErrInvalidGenesis, "node %q stake_under_since must be >= 0", n.Id)
	}
	return nil
}

// validateRewardState checks an operator's settlement fields: observed roles sorted,
// unique and well-formed; one activity counter per role.
func (op Operator) validateRewardState() error {
	if !slices.IsSorted(op.ObservedRoles) || len(slices.Compact(slices.Clone(op.ObservedRoles))) != len(op.ObservedRoles) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s observed roles must be sorted and unique", op.Address)
	}
	for _, r := range op.ObservedRoles {
		if err := ValidateRole(r); err != nil {
			return err
		}
	}
	for i, a := range op.Activity {
		if err := ValidateRole(a.Role); err != nil {
			return err
		}
		if slices.ContainsFunc(op.Activity[:i], func(b RoleActivity) bool { return b.Role == a.Role }) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s activity of role %q twice", op.Address, a.Role)
		}
	}
	return nil
}

// validateRewardLines checks a record's month lines and bonus (unset in records written
// before they existed, which is allowed).
func (r PeriodRecord) validateRewardLines() error {
	for _, v := range []sdkmath.Int{r.MonthlyBase, r.MonthlyLevel, r.MonthlyPrize} {
		if !v.IsNil() && v.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "record of node %q period %d month lines must be >= 0", r.NodeId, r.Period)
		}
	}
	if !r.Bonus.IsNil() && (r.Bonus.IsNegative() || r.Bonus.GT(sdkmath.LegacyOneDec())) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "record of node %q period %d bonus out of [0, 1]", r.NodeId, r.Period)
	}
	if r.ActiveBlocks < 0 || r.PeriodBlocks < 0 || r.ActiveBlocks > r.PeriodBlocks {
		return errorsmod.Wrapf(ErrInvalidGenesis, "record of node %q period %d blocks", r.NodeId, r.Period)
	}
	return nil
}
