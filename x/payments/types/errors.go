package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of x/payments. Codes are part of the API: never renumber.
var (
	ErrInsufficientEscrow = errorsmod.Register(ModuleName, 2, "session escrow does not cover the amount")
	ErrSessionNotFound    = errorsmod.Register(ModuleName, 3, "session balance not found")
	ErrSessionExists      = errorsmod.Register(ModuleName, 4, "session balance already exists")
	ErrNothingToWithdraw  = errorsmod.Register(ModuleName, 5, "no pending payments")
	ErrUnauthorized       = errorsmod.Register(ModuleName, 6, "sender is not the module authority")
	ErrInvalidParams      = errorsmod.Register(ModuleName, 7, "invalid params")
	ErrInvalidAddress     = errorsmod.Register(ModuleName, 8, "invalid address")
	ErrInvalidGenesis     = errorsmod.Register(ModuleName, 9, "invalid genesis state")
	ErrInvalidAmount      = errorsmod.Register(ModuleName, 10, "invalid amount")
	ErrReservedInFlight   = errorsmod.Register(ModuleName, 11, "session has reserved escrow in flight")
	ErrOverRelease        = errorsmod.Register(ModuleName, 12, "release or settlement exceeds the reservation")
	ErrAmountOverflow     = errorsmod.Register(ModuleName, 13, "amount overflows the 256-bit integer range")
)
