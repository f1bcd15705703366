package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of x/data. Codes are part of the API: never renumber.
var (
	ErrInvalidAddress   = errorsmod.Register(ModuleName, 2, "invalid address")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 4, "invalid genesis state")
	ErrUnauthorized     = errorsmod.Register(ModuleName, 5, "sender is not the module authority")
	ErrTargetNotFound   = errorsmod.Register(ModuleName, 6, "target not found")
	ErrTargetNotOpen    = errorsmod.Register(ModuleName, 7, "target is not open")
	ErrModelNotAssigned = errorsmod.Register(ModuleName, 8, "model is not assigned to the target")
	ErrWrongDim         = errorsmod.Register(ModuleName, 9, "embedding dimension does not match the target")
	ErrInvalidEmbedding = errorsmod.Register(ModuleName, 10, "invalid embedding")
	ErrDistanceMismatch = errorsmod.Register(ModuleName, 11, "claimed distance differs from the recomputed one")
	ErrOverThreshold    = errorsmod.Register(ModuleName, 12, "distance above the target threshold")
	ErrBondTooSmall     = errorsmod.Register(ModuleName, 13, "bond below bond_per_byte × size")
	ErrDataTooLarge     = errorsmod.Register(ModuleName, 14, "data size above max_data_bytes")
	ErrInvalidURL       = errorsmod.Register(ModuleName, 15, "invalid data url")
	ErrInvalidChecksum  = errorsmod.Register(ModuleName, 16, "invalid sha256 checksum")
	ErrInvalidLosses    = errorsmod.Register(ModuleName, 17, "losses do not list every assigned model once in order")
	ErrNotLowestLoss    = errorsmod.Register(ModuleName, 18, "claimed model does not have the lowest loss")
	ErrNotClaimable     = errorsmod.Register(ModuleName, 19, "target reward is not claimable (audit not passed)")
	ErrAlreadyClaimed   = errorsmod.Register(ModuleName, 20, "target reward already claimed")
	ErrInvalidAmount    = errorsmod.Register(ModuleName, 21, "invalid amount")
	ErrInvalidSize      = errorsmod.Register(ModuleName, 22, "invalid data size")
	ErrInvalidTargetID  = errorsmod.Register(ModuleName, 23, "invalid target id")
	ErrClaimTooEarly    = errorsmod.Register(ModuleName, 24, "target reward is not claimable before its claimable epoch")
)
