package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name and store key. x/sessions holds no coins: the
	// escrow is in the x/payments module account.
	ModuleName = "sessions"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns exactly one prefix; never reuse a number.
var (
	ParamsKey          = collections.NewPrefix(0)
	NextSessionIDKey   = collections.NewPrefix(1)
	NextTaskIDKey      = collections.NewPrefix(2)
	SessionsKey        = collections.NewPrefix(3)
	SessionsByOwnerKey = collections.NewPrefix(4)
	TasksKey           = collections.NewPrefix(5)
	TasksBySessionKey  = collections.NewPrefix(6)
	QueueKey           = collections.NewPrefix(7)
	DeadlinesKey       = collections.NewPrefix(8)
	PruneQueueKey      = collections.NewPrefix(9)
	NodeTasksKey       = collections.NewPrefix(10)
	ResultsKey         = collections.NewPrefix(11)
	AuditQueueKey      = collections.NewPrefix(12)
	PruneDeferredKey   = collections.NewPrefix(13)
	PrecommittedKey    = collections.NewPrefix(14)
)
