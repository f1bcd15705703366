package types

import errorsmod "cosmossdk.io/errors"

// DefaultParams: at ~1 s blocks an auditor has about 30 minutes, validators an hour to
// vote, and final audits are kept about a week for queries before pruning.
func DefaultParams() Params {
	return Params{
		AuditDeadlineBlocks: 1800,
		VotingWindowBlocks:  3600,
		MaxQueuePerBlock:    200,
		RetentionBlocks:     604_800,
		MaxFigures:          16,
		MaxFigureBytes:      128,
		MaxCheckNameBytes:   64,
	}
}

// maxWindowBlocks keeps every height computed from a param far from int64 overflow.
const maxWindowBlocks = 1 << 40

// Validate checks params for internal consistency.
func (p Params) Validate() error {
	if p.AuditDeadlineBlocks == 0 || p.AuditDeadlineBlocks > maxWindowBlocks {
		return errorsmod.Wrapf(ErrInvalidParams, "audit_deadline_blocks must be in [1, %d]", uint64(maxWindowBlocks))
	}
	if p.VotingWindowBlocks == 0 || p.VotingWindowBlocks > maxWindowBlocks {
		return errorsmod.Wrapf(ErrInvalidParams, "voting_window_blocks must be in [1, %d]", uint64(maxWindowBlocks))
	}
	if p.RetentionBlocks == 0 || p.RetentionBlocks > maxWindowBlocks {
		return errorsmod.Wrapf(ErrInvalidParams, "retention_blocks must be in [1, %d]", uint64(maxWindowBlocks))
	}
	if p.MaxQueuePerBlock == 0 || p.MaxQueuePerBlock > 100_000 {
		return errorsmod.Wrap(ErrInvalidParams, "max_queue_per_block must be in [1, 100000]")
	}
	if p.MaxFigures == 0 || p.MaxFigures > MaxFiguresCap {
		return errorsmod.Wrapf(ErrInvalidParams, "max_figures must be in [1, %d]", MaxFiguresCap)
	}
	if p.MaxFigureBytes == 0 || p.MaxFigureBytes > MaxFigureBytesCap {
		return errorsmod.Wrapf(ErrInvalidParams, "max_figure_bytes must be in [1, %d]", MaxFigureBytesCap)
	}
	if p.MaxCheckNameBytes == 0 || p.MaxCheckNameBytes > MaxCheckNameBytesCap {
		return errorsmod.Wrapf(ErrInvalidParams, "max_check_name_bytes must be in [1, %d]", MaxCheckNameBytesCap)
	}
	return nil
}
