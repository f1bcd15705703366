package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of x/audits. Codes are part of the API: never renumber.
var (
	ErrInvalidAddress       = errorsmod.Register(ModuleName, 2, "invalid address")
	ErrInvalidSubject       = errorsmod.Register(ModuleName, 3, "invalid audit subject")
	ErrUnknownSubjectModule = errorsmod.Register(ModuleName, 4, "no audit handler registered for subject module")
	ErrAuditOpen            = errorsmod.Register(ModuleName, 5, "subject already has an open audit")
	ErrNoEligibleAuditor    = errorsmod.Register(ModuleName, 6, "no eligible bonded validator to audit")
	ErrAuditNotFound        = errorsmod.Register(ModuleName, 7, "audit not found")
	ErrNotAuditor           = errorsmod.Register(ModuleName, 8, "sender is not the assigned auditor")
	ErrWrongStatus          = errorsmod.Register(ModuleName, 9, "audit is not in a status that allows this")
	ErrDeadlinePassed       = errorsmod.Register(ModuleName, 10, "audit deadline has passed")
	ErrVotingClosed         = errorsmod.Register(ModuleName, 11, "voting window has closed")
	ErrNotBondedValidator   = errorsmod.Register(ModuleName, 12, "voter is not the operator of a bonded validator")
	ErrInvalidVoteOption    = errorsmod.Register(ModuleName, 13, "invalid vote option")
	ErrInvalidReport        = errorsmod.Register(ModuleName, 14, "invalid fraud report")
	ErrUnauthorized         = errorsmod.Register(ModuleName, 15, "sender is not the module authority")
	ErrInvalidParams        = errorsmod.Register(ModuleName, 16, "invalid params")
	ErrInvalidGenesis       = errorsmod.Register(ModuleName, 17, "invalid genesis state")
	ErrInvalidPayloadHash   = errorsmod.Register(ModuleName, 18, "invalid payload hash")
	ErrInvalidAuditID       = errorsmod.Register(ModuleName, 19, "invalid audit id")
	ErrAlreadyVoted         = errorsmod.Register(ModuleName, 20, "voter has already voted on this audit")
)
