package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and module account name. The module
	// account holds the data rewards pool, held bonds and reserved rewards.
	ModuleName = "data"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// SeedDomain separates x/data's target seeds from other users of the block hash.
	SeedDomain = "cortd/data/target"
)

// Store prefixes. Each collection owns exactly one prefix; never reuse a number.
var (
	ParamsKey        = collections.NewPrefix(0)
	NextTargetIDKey  = collections.NewPrefix(1)
	TargetsKey       = collections.NewPrefix(2)
	OpenTargetsKey   = collections.NewPrefix(3)
	ToAuditKey       = collections.NewPrefix(4)
	SubmissionsKey   = collections.NewPrefix(5)
	ByEpochKey       = collections.NewPrefix(6)
	AccountingKey    = collections.NewPrefix(7)
	EpochStateKey    = collections.NewPrefix(8)
	LastBlockHashKey = collections.NewPrefix(9)
)
