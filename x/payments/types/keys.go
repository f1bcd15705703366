package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and the name of the module account that
	// holds every session's escrow and every operator's pending payments.
	ModuleName = "payments"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns exactly one prefix; never reuse a number.
var (
	ParamsKey   = collections.NewPrefix(0)
	BalancesKey = collections.NewPrefix(1)
	PendingKey  = collections.NewPrefix(2)
)
