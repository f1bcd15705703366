package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and the name of the module account that
	// holds stakes, unbonding stakes and settled-but-unwithdrawn rewards.
	ModuleName = "nodes"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// RewardsPoolName is the module account that funds period rewards (genesis balance,
	// MsgFundRewardsPool and the mint share). Kept apart from ModuleName so the escrow
	// invariant of ModuleName is exact.
	RewardsPoolName = "nodes_rewards"
	// MaxLevel is the highest cognitive level.
	MaxLevel = 10
)

// Store prefixes. Each collection owns exactly one prefix; never reuse a number.
var (
	ParamsKey          = collections.NewPrefix(0)
	NodesKey           = collections.NewPrefix(1)
	NodesByOperatorKey = collections.NewPrefix(2)
	NodesByModelKey    = collections.NewPrefix(3)
	UnbondingQueueKey  = collections.NewPrefix(4)
	OperatorsKey       = collections.NewPrefix(5)
	PeriodKey          = collections.NewPrefix(6)
	SettlementsKey     = collections.NewPrefix(7)
	LiveStatsKey       = collections.NewPrefix(8)
	RecordsKey         = collections.NewPrefix(9)
)
