package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
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
		if t.Status == TARGET_STATUS_UNSPECIFIED || t.Threshold.IsNil() || t.Reward.IsNil() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "target %d incomplete", t.Id)
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
	if !bonds.Equal(a.Bonds) || !reserved.Equal(a.Reserved) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "accounting bonds %s / reserved %s, submissions hold %s / %s", a.Bonds, a.Reserved, bonds, reserved)
	}
	return nil
}
