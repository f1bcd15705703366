package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of x/sessions. Codes are part of the API: never renumber.
var (
	ErrInvalidAddress      = errorsmod.Register(ModuleName, 2, "invalid address")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrInvalidGenesis      = errorsmod.Register(ModuleName, 4, "invalid genesis state")
	ErrUnauthorized        = errorsmod.Register(ModuleName, 5, "sender is not the module authority")
	ErrInvalidRedundancy   = errorsmod.Register(ModuleName, 6, "invalid redundancy or quorum")
	ErrInvalidPrice        = errorsmod.Register(ModuleName, 7, "invalid price or amount")
	ErrInvalidMaxTokens    = errorsmod.Register(ModuleName, 8, "invalid max tokens")
	ErrInvalidLevel        = errorsmod.Register(ModuleName, 9, "invalid minimum level")
	ErrModelUnavailable    = errorsmod.Register(ModuleName, 10, "model unknown or retired")
	ErrSessionNotFound     = errorsmod.Register(ModuleName, 11, "session not found")
	ErrNotOwner            = errorsmod.Register(ModuleName, 12, "sender is not the session owner")
	ErrSessionNotActive    = errorsmod.Register(ModuleName, 13, "session is closing or closed")
	ErrInvalidPrompt       = errorsmod.Register(ModuleName, 14, "invalid prompt")
	ErrInvalidSampling     = errorsmod.Register(ModuleName, 15, "invalid sampling params")
	ErrTaskNotFound        = errorsmod.Register(ModuleName, 16, "task not found")
	ErrWrongPhase          = errorsmod.Register(ModuleName, 17, "task is not in the phase this message belongs to")
	ErrNotAssigned         = errorsmod.Register(ModuleName, 18, "node is not assigned to the task")
	ErrNotNodeKey          = errorsmod.Register(ModuleName, 19, "sender is neither the node's key nor its operator")
	ErrLate                = errorsmod.Register(ModuleName, 20, "the window has closed")
	ErrAlreadyPrecommitted = errorsmod.Register(ModuleName, 21, "node already precommitted")
	ErrNoPrecommit         = errorsmod.Register(ModuleName, 22, "commit without a precommit")
	ErrAlreadyCommitted    = errorsmod.Register(ModuleName, 23, "node already committed")
	ErrHashMismatch        = errorsmod.Register(ModuleName, 24, "commit does not match the precommit hash")
	ErrInvalidEmbedding    = errorsmod.Register(ModuleName, 25, "invalid embedding")
	ErrInvalidResult       = errorsmod.Register(ModuleName, 26, "invalid result")
	ErrInvalidHash         = errorsmod.Register(ModuleName, 27, "invalid precommit hash")
	ErrDuplicateHash       = errorsmod.Register(ModuleName, 28, "precommit hash already used on this task")
)
