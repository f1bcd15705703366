package types

import (
	"bytes"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has default params and no audits.
func DefaultGenesis() *GenesisState {
	return &GenesisState{
		Params: DefaultParams(), NextAuditId: 1,
		Audits: []Audit{}, Votes: []Vote{}, AuditorRecords: []AuditorRecord{},
	}
}

// IsOpen reports whether the audit still waits for a verdict (PENDING or VOTING).
func (a Audit) IsOpen() bool {
	return a.Status == AUDIT_STATUS_PENDING || a.Status == AUDIT_STATUS_VOTING
}

// QueueHeight is the height of the audit's one entry in the deadline queue: the auditor
// deadline while PENDING, the end of the voting window while VOTING, the prune height
// once final.
func (a Audit) QueueHeight() int64 {
	switch a.Status {
	case AUDIT_STATUS_PENDING:
		return a.DeadlineHeight
	case AUDIT_STATUS_VOTING:
		return a.VotingEndHeight
	default:
		return a.PruneHeight
	}
}

// Validate checks a stored audit record for internal consistency.
func (a Audit) Validate() error {
	if a.Id == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "audit id 0")
	}
	if err := ValidateSubjectModule(a.SubjectModule); err != nil {
		return err
	}
	if err := ValidateSubjectID(a.SubjectId); err != nil {
		return err
	}
	if err := ValidatePayloadHash(a.PayloadHash); err != nil {
		return err
	}
	acc, err := sdk.AccAddressFromBech32(a.Auditor)
	if err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "audit %d auditor: %v", a.Id, err)
	}
	val, err := sdk.ValAddressFromBech32(a.AuditorValidator)
	if err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "audit %d auditor_validator: %v", a.Id, err)
	}
	if !bytes.Equal(acc, val) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "audit %d: auditor and auditor_validator differ", a.Id)
	}
	if len(a.Seed) != 32 {
		return errorsmod.Wrapf(ErrInvalidGenesis, "audit %d: seed must be 32 bytes", a.Id)
	}
	if a.OpenedHeight < 0 || a.DeadlineHeight <= a.OpenedHeight {
		return errorsmod.Wrapf(ErrInvalidGenesis, "audit %d: deadline %d not after opening %d", a.Id, a.DeadlineHeight, a.OpenedHeight)
	}
	if len(a.HandlerError) > MaxHandlerErrorLen {
		return errorsmod.Wrapf(ErrInvalidGenesis, "audit %d: handler_error too long", a.Id)
	}
	hasReport := a.Report != nil
	if hasReport {
		if err := ValidateCheckName(a.Report.FailedCheck, MaxCheckNameBytesCap); err != nil {
			return errorsmod.Wrapf(err, "audit %d", a.Id)
		}
		if err := ValidateFigures(a.Report.Figures, MaxFiguresCap, MaxFigureBytesCap); err != nil {
			return errorsmod.Wrapf(err, "audit %d", a.Id)
		}
	}
	switch a.Status {
	case AUDIT_STATUS_PENDING:
		if hasReport || a.Tally != nil || a.DecidedHeight != 0 || a.PruneHeight != 0 || a.VotingEndHeight != 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "pending audit %d carries a verdict", a.Id)
		}
	case AUDIT_STATUS_VOTING:
		if !hasReport || a.Tally != nil || a.DecidedHeight != 0 || a.PruneHeight != 0 || a.VotingEndHeight <= a.Report.ReportedHeight {
			return errorsmod.Wrapf(ErrInvalidGenesis, "voting audit %d needs a report and a voting end, and no verdict", a.Id)
		}
	case AUDIT_STATUS_PASSED, AUDIT_STATUS_MISSED:
		if hasReport || a.Tally != nil || a.DecidedHeight == 0 || a.PruneHeight <= a.DecidedHeight {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s audit %d: no report, a decision and a later prune height", a.Status, a.Id)
		}
	case AUDIT_STATUS_FRAUD, AUDIT_STATUS_CLEARED:
		if !hasReport || a.Tally == nil || a.DecidedHeight == 0 || a.PruneHeight <= a.DecidedHeight {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s audit %d: report, tally, decision and a later prune height", a.Status, a.Id)
		}
		if a.Tally.Fraud != (a.Status == AUDIT_STATUS_FRAUD) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "audit %d: tally disagrees with status", a.Id)
		}
	default:
		return errorsmod.Wrapf(ErrInvalidGenesis, "audit %d has status %s", a.Id, a.Status)
	}
	return nil
}

// Validate checks params, every audit, vote and record, and their cross references.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if gs.NextAuditId == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "next_audit_id must be at least 1")
	}
	audits := make(map[uint64]AuditStatus, len(gs.Audits))
	openSubjects := make(map[string]uint64)
	for i, a := range gs.Audits {
		if err := a.Validate(); err != nil {
			return errorsmod.Wrapf(err, "audits[%d]", i)
		}
		if _, dup := audits[a.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate audit id %d", a.Id)
		}
		if a.Id >= gs.NextAuditId {
			return errorsmod.Wrapf(ErrInvalidGenesis, "audit id %d not below next_audit_id %d", a.Id, gs.NextAuditId)
		}
		audits[a.Id] = a.Status
		if a.IsOpen() {
			key := SubjectKey(a.SubjectModule, a.SubjectId)
			if other, dup := openSubjects[key]; dup {
				return errorsmod.Wrapf(ErrInvalidGenesis, "audits %d and %d are both open for %s", other, a.Id, key)
			}
			openSubjects[key] = a.Id
		}
	}
	votes := make(map[string]struct{}, len(gs.Votes))
	for i, v := range gs.Votes {
		st, ok := audits[v.AuditId]
		if !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "votes[%d]: unknown audit %d", i, v.AuditId)
		}
		if st != AUDIT_STATUS_VOTING && st != AUDIT_STATUS_FRAUD && st != AUDIT_STATUS_CLEARED {
			return errorsmod.Wrapf(ErrInvalidGenesis, "votes[%d]: audit %d is %s", i, v.AuditId, st)
		}
		if err := validAddress("voter", v.Voter); err != nil {
			return errorsmod.Wrapf(err, "votes[%d]", i)
		}
		if v.Option != VOTE_OPTION_YES && v.Option != VOTE_OPTION_NO {
			return errorsmod.Wrapf(ErrInvalidGenesis, "votes[%d]: option %s", i, v.Option)
		}
		key := string(sdk.Uint64ToBigEndian(v.AuditId)) + v.Voter
		if _, dup := votes[key]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "votes[%d]: duplicate vote", i)
		}
		votes[key] = struct{}{}
	}
	records := make(map[string]struct{}, len(gs.AuditorRecords))
	for i, r := range gs.AuditorRecords {
		if err := validAddress("auditor", r.Auditor); err != nil {
			return errorsmod.Wrapf(err, "auditor_records[%d]", i)
		}
		if _, dup := records[r.Auditor]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "auditor_records[%d]: duplicate auditor", i)
		}
		records[r.Auditor] = struct{}{}
	}
	return nil
}
