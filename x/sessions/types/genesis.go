package types

import (
	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis has default params, no sessions and ids starting at 1.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextSessionId: 1, NextTaskId: 1, Sessions: []Session{}, Tasks: []Task{}}
}

// Terminal reports whether a task status is final.
func (s TaskStatus) Terminal() bool {
	return s == TASK_STATUS_VALIDATED || s == TASK_STATUS_FAILED || s == TASK_STATUS_EXPIRED || s == TASK_STATUS_ABANDONED
}

// Live reports whether an assignment still takes part in the task.
func (s AssignmentStatus) Live() bool {
	return s == ASSIGNMENT_STATUS_ASSIGNED || s == ASSIGNMENT_STATUS_PRECOMMITTED || s == ASSIGNMENT_STATUS_COMMITTED
}

// Validate checks params, id counters and references.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if gs.NextSessionId == 0 || gs.NextTaskId == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "ids start at 1")
	}
	sessions := make(map[uint64]bool, len(gs.Sessions))
	for _, s := range gs.Sessions {
		if s.Id == 0 || s.Id >= gs.NextSessionId || sessions[s.Id] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "session id %d duplicate or not below next_session_id", s.Id)
		}
		sessions[s.Id] = true
		if err := validAddress("owner", s.Owner); err != nil {
			return errorsmod.Wrapf(err, "session %d", s.Id)
		}
		if s.Quorum == 0 || s.Quorum > s.Redundancy || s.Redundancy > MaxRedundancyLimit {
			return errorsmod.Wrapf(ErrInvalidGenesis, "session %d: bad redundancy/quorum", s.Id)
		}
		if s.PricePerTask.IsNil() || s.PricePerTask.IsNegative() || s.PricePerTask.GT(MaxPricePerTaskLimit) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "session %d: price_per_task not in 0..%s", s.Id, MaxPricePerTaskLimit)
		}
		if err := ValidateVerificationMode(s.Verification); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "session %d: %v", s.Id, err)
		}
	}
	tasks := make(map[uint64]bool, len(gs.Tasks))
	for _, t := range gs.Tasks {
		if t.Id == 0 || t.Id >= gs.NextTaskId || tasks[t.Id] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task id %d duplicate or not below next_task_id", t.Id)
		}
		tasks[t.Id] = true
		if !sessions[t.SessionId] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d refers to unknown session %d", t.Id, t.SessionId)
		}
		if _, ok := TaskStatus_name[int32(t.Status)]; !ok || t.Status == TASK_STATUS_UNSPECIFIED {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d has status %d", t.Id, t.Status)
		}
		if t.Reserved.IsNil() || t.Reserved.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d: bad reservation", t.Id)
		}
		if err := ValidateTaskAudit(t); err != nil {
			return err
		}
		if err := ValidateVerificationMode(t.Verification); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d: %v", t.Id, err)
		}
		for _, a := range t.Assignments {
			// replay scores are recorded only in canonical form, inside [0, 1]
			if d, ok := ParseReplayScore(a.ReplayScore); a.ReplayScore != "" && (!ok || FormatReplayScore(d) != a.ReplayScore) {
				return errorsmod.Wrapf(ErrInvalidGenesis, "task %d node %s: replay_score %q", t.Id, a.NodeId, a.ReplayScore)
			}
		}
	}
	return nil
}
