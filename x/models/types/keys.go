package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and module account name.
	ModuleName = "models"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns exactly one prefix; never reuse a number.
var (
	ParamsKey = collections.NewPrefix(0)
	ModelsKey = collections.NewPrefix(1)
)
