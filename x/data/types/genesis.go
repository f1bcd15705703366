package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	modelstypes "github.com/cortnet/cortd/x/models/types"
)

var sdkValidateDenom = sdk.ValidateDenom

// ZeroAccounting is an empty pool with nothing held.
func ZeroAccounting() Accounting {
	return Accounting{Pool: sdkmath.ZeroInt(), Bonds: sdkmath.ZeroInt(), Reserved: sdkmath.ZeroInt()}
}

// Total is what the module account must hold.
func (a Accounting) Total() sdkmath.Int { return a.Pool.Add(a.Bonds).Add(a.Reserved) }

// DefaultGenesis is an empty pool, no targets, epoch 0 at the initial threshold.
func DefaultGenesis() *GenesisState {
	p := DefaultParams()
	return &GenesisState{
		Params: p, NextTargetId: 1, Accounting: ZeroAccounting(),
		Epoch: EpochState{Threshold: p.InitialThreshold},
	}
}

// Validate checks the genesis state. Targets and submissions are checked for unique
// ids and consistent accounting: held bonds and rewards must add up to the totals.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if gs.NextTargetId == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "next_target_id must be ≥ 1")
	}
	a := gs.Accounting
	if a.Pool.IsNil() || a.Bonds.IsNil() || a.Reserved.IsNil() || a.Pool.IsNegative() || a.Bonds.IsNegative() || a.Reserved.IsNegative() {
		return errorsmod.Wrap(ErrInvalidGenesis, "accounting amounts must be ≥ 0")
	}
	if gs.Epoch.Threshold.IsNil() || !gs.Epoch.Threshold.IsPositive() {
		return errorsmod.Wrap(ErrInvalidGenesis, "epoch threshold must be > 0")
	}
	targets := make(map[uint64]Target, len(gs.Targets))
	for _, t := range gs.Targets {
		if t.Id == 0 || t.Id >= gs.NextTargetId {
			return errorsmod.Wrapf(ErrInvalidGenesis, "target id %d not in 1..next_target_id-1", t.Id)
		}
		if _, dup := targets[t.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate target %d", t.Id)
		}
		if _, ok := TargetStatus_name[int32(t.Status)]; !ok || t.Status == TARGET_STATUS_UNSPECIFIED ||
			t.Threshold.IsNil() || !t.Threshold.IsPositive() || t.Reward.IsNil() || t.Reward.IsNegative() ||
			len(t.Centre) == 0 || len(t.Models) == 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "target %d incomplete", t.Id)
		}
		if _, ok := modelstypes.Modality_name[int32(t.Modality)]; !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "target %d: unknown modality %d", t.Id, int32(t.Modality))
		}
		// An audit id exists from AUDITING on; a target that passed with no auditor has none.
		beforeAudit := t.Status == TARGET_STATUS_OPEN || t.Status == TARGET_STATUS_EXPIRED || t.Status == TARGET_STATUS_FILLED
		if (t.Status == TARGET_STATUS_AUDITING && t.AuditId == 0) || (beforeAudit && t.AuditId != 0) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "target %d: audit id %d with status %s", t.Id, t.AuditId, t.Status)
		}
		// Only a passed (or claimed) target has a claimable epoch, and never a negative one.
		if t.ClaimableEpoch < 0 || (t.ClaimableEpoch != 0 && t.Status != TARGET_STATUS_PASSED && t.Status != TARGET_STATUS_CLAIMED) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "target %d: claimable epoch %d with status %s", t.Id, t.ClaimableEpoch, t.Status)
		}
		targets[t.Id] = t
	}
	bonds, reserved := sdkmath.ZeroInt(), sdkmath.ZeroInt()
	seen := make(map[uint64]bool, len(gs.Submissions))
	for _, s := range gs.Submissions {
		if _, ok := targets[s.TargetId]; !ok || seen[s.TargetId] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "submission for unknown or duplicate target %d", s.TargetId)
		}
		seen[s.TargetId] = true
		if err := checkHeld(targets[s.TargetId].Status, s); err != nil {
			return err
		}
		if s.Bond.IsNil() || s.Reward.IsNil() || s.Bond.IsNegative() || s.Reward.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "submission %d amounts", s.TargetId)
		}
		if s.BondHeld {
			bonds = bonds.Add(s.Bond)
		}
		if s.RewardHeld {
			reserved = reserved.Add(s.Reward)
		}
	}
	for id, t := range targets {
		if hasSubmission(t.Status) != seen[id] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "target %d is %s but has submission = %v", id, t.Status, seen[id])
		}
	}
	if !bonds.Equal(a.Bonds) || !reserved.Equal(a.Reserved) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "accounting bonds %s / reserved %s, submissions hold %s / %s", a.Bonds, a.Reserved, bonds, reserved)
	}
	return nil
}

// hasSubmission reports whether a target in status s must have a submission.
func hasSubmission(s TargetStatus) bool {
	return s != TARGET_STATUS_OPEN && s != TARGET_STATUS_EXPIRED
}

// checkHeld checks a submission's held flags against its target's status: the bond is
// held until the audit outcome, the reward until the claim or a fraud outcome.
func checkHeld(status TargetStatus, s Submission) error {
	bond := status == TARGET_STATUS_FILLED || status == TARGET_STATUS_AUDITING
	reward := bond || status == TARGET_STATUS_PASSED
	if s.BondHeld != bond || s.RewardHeld != reward {
		return errorsmod.Wrapf(ErrInvalidGenesis, "submission %d: bond_held %v, reward_held %v with target %s",
			s.TargetId, s.BondHeld, s.RewardHeld, status)
	}
	return nil
}
