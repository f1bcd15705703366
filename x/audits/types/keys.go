package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name and store key. x/audits holds no funds: no module account.
	ModuleName = "audits"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// SeedDomain separates the auditor seed from every other use of the block hash.
	SeedDomain = "cortd/audits/auditor"
)

// Store prefixes. Each collection owns exactly one prefix; never reuse a number.
var (
	ParamsKey         = collections.NewPrefix(0)
	NextAuditIDKey    = collections.NewPrefix(1)
	AuditsKey         = collections.NewPrefix(2)
	QueueKey          = collections.NewPrefix(3)
	SubjectIndexKey   = collections.NewPrefix(4)
	AuditorIndexKey   = collections.NewPrefix(5)
	OpenIndexKey      = collections.NewPrefix(6)
	OpenSubjectKey    = collections.NewPrefix(10)
	VotesKey          = collections.NewPrefix(7)
	AuditorRecordsKey = collections.NewPrefix(8)
	SeedStateKey      = collections.NewPrefix(9)
)

// Hard caps of stateless validation; params may only tighten them.
const (
	MaxSubjectModuleLen  = 32
	MaxSubjectIDLen      = 128
	MaxPayloadHashLen    = 64
	MaxExcluded          = 16
	MaxFiguresCap        = 64
	MaxFigureBytesCap    = 1024
	MaxCheckNameBytesCap = 128
	// MaxHandlerErrorLen bounds the handler error kept on an audit.
	MaxHandlerErrorLen = 256
)
