package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of x/models. Codes are part of the API: never renumber.
var (
	ErrInvalidID           = errorsmod.Register(ModuleName, 2, "invalid model id")
	ErrInvalidName         = errorsmod.Register(ModuleName, 3, "invalid model name")
	ErrInvalidArchitecture = errorsmod.Register(ModuleName, 4, "invalid architecture")
	ErrInvalidURI          = errorsmod.Register(ModuleName, 5, "invalid weights uri")
	ErrInvalidSha256       = errorsmod.Register(ModuleName, 6, "invalid sha256 digest")
	ErrInvalidEmbeddingDim = errorsmod.Register(ModuleName, 7, "invalid embedding dim")
	ErrInvalidMemory       = errorsmod.Register(ModuleName, 8, "invalid memory requirement")
	ErrModelExists         = errorsmod.Register(ModuleName, 9, "model already registered")
	ErrModelNotFound       = errorsmod.Register(ModuleName, 10, "model not found")
	ErrNotOwner            = errorsmod.Register(ModuleName, 11, "sender is not the model owner")
	ErrAlreadyRetired      = errorsmod.Register(ModuleName, 12, "model already retired")
	ErrUnauthorized        = errorsmod.Register(ModuleName, 13, "sender is not the module authority")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 14, "invalid params")
	ErrInvalidAddress      = errorsmod.Register(ModuleName, 15, "invalid address")
	ErrInvalidGenesis      = errorsmod.Register(ModuleName, 16, "invalid genesis state")
	ErrInvalidModality     = errorsmod.Register(ModuleName, 17, "invalid modality")
)
