package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of x/nodes. Codes are part of the API: never renumber.
var (
	ErrInvalidID          = errorsmod.Register(ModuleName, 2, "invalid node id")
	ErrInvalidAddress     = errorsmod.Register(ModuleName, 3, "invalid address")
	ErrNodeExists         = errorsmod.Register(ModuleName, 4, "node already registered")
	ErrNodeNotFound       = errorsmod.Register(ModuleName, 5, "node not found")
	ErrNotOperator        = errorsmod.Register(ModuleName, 6, "sender is not the node operator")
	ErrUnknownPool        = errorsmod.Register(ModuleName, 7, "unknown staking pool")
	ErrInsufficientStake  = errorsmod.Register(ModuleName, 8, "stake below the pool minimum")
	ErrInvalidDenom       = errorsmod.Register(ModuleName, 9, "invalid denom")
	ErrInvalidAmount      = errorsmod.Register(ModuleName, 10, "invalid amount")
	ErrInvalidEndpoint    = errorsmod.Register(ModuleName, 11, "invalid endpoint")
	ErrInvalidSpec        = errorsmod.Register(ModuleName, 12, "invalid node spec")
	ErrInvalidModels      = errorsmod.Register(ModuleName, 13, "invalid models list")
	ErrUnknownModel       = errorsmod.Register(ModuleName, 14, "unknown or retired model")
	ErrModelTooLarge      = errorsmod.Register(ModuleName, 15, "model does not fit the memory index")
	ErrNotNodeKey         = errorsmod.Register(ModuleName, 16, "sender is not the node's heartbeat key")
	ErrHeartbeatTooSoon   = errorsmod.Register(ModuleName, 17, "heartbeat already received in this slot")
	ErrNodeUnbonding      = errorsmod.Register(ModuleName, 18, "node is unbonding")
	ErrNoRewards          = errorsmod.Register(ModuleName, 19, "no rewards to withdraw")
	ErrUnauthorized       = errorsmod.Register(ModuleName, 20, "sender is not the module authority")
	ErrInvalidParams      = errorsmod.Register(ModuleName, 21, "invalid params")
	ErrInvalidGenesis     = errorsmod.Register(ModuleName, 22, "invalid genesis state")
	ErrInvalidRoles       = errorsmod.Register(ModuleName, 23, "invalid roles")
	ErrInvalidSlash       = errorsmod.Register(ModuleName, 24, "invalid slash")
	ErrModelNotServed     = errorsmod.Register(ModuleName, 25, "model not served by the node")
	ErrInvalidMemoryIndex = errorsmod.Register(ModuleName, 26, "invalid memory index")
)
