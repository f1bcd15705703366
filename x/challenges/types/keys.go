package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and module account (holds posting deposits).
	ModuleName = "challenges"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// RewardsPoolName is the module account of the challenges rewards pool (emissions and
	// pending rewards).
	RewardsPoolName = "challenges_rewards"
	// InviteDomain separates the invitation seed from every other use of the block hash.
	InviteDomain = "cortd/challenges/invite/v1"
)

// Store prefixes. Each collection owns exactly one prefix; never reuse a number.
var (
	ParamsKey           = collections.NewPrefix(0)
	NextChallengeIDKey  = collections.NewPrefix(1)
	EpochKey            = collections.NewPrefix(2)
	ChallengesKey       = collections.NewPrefix(3)
	QueueKey            = collections.NewPrefix(4)
	AnswersKey          = collections.NewPrefix(5)
	SubmissionsKey      = collections.NewPrefix(6)
	EvaluatorRecordsKey = collections.NewPrefix(7)
	OptInKey            = collections.NewPrefix(8)
	PostCountsKey       = collections.NewPrefix(9)
	MinerStatsKey       = collections.NewPrefix(10)
	WeightsKey          = collections.NewPrefix(11)
	PendingRewardsKey   = collections.NewPrefix(12)
	PendingTotalKey     = collections.NewPrefix(13)
	OptInBySeqKey       = collections.NewPrefix(14)
	NextOptInSeqKey     = collections.NewPrefix(15)
	ClosesKey           = collections.NewPrefix(16)
	CloseTotalsKey      = collections.NewPrefix(17)
	ReportsKey          = collections.NewPrefix(18)
	ReportExpiryKey     = collections.NewPrefix(19)
)

// Hard caps of stateless validation; params may only tighten them.
const (
	MaxURLBytesCap        = 2048
	MaxStatementBytesCap  = 64 * 1024
	MaxContextPathsCap    = 256
	MaxPathBytesCap       = 1024
	MaxChecklistItemsCap  = 64
	MaxChecklistItemCap   = 1024
	MaxTestCommandCap     = 1024
	MaxMinersCap          = 64
	MaxPatchBytesCap      = 1 << 20
	MaxNodeIDLen          = 64
	MinSaltBytes          = 32
	MaxSaltBytes          = 32
	MaxBasisPoints        = 10_000
	MaxWeightExponentCap  = 4
	MaxScoreWindowCap     = 64
	MaxCandidateScanCap   = 100_000
	MaxQueuePerBlockCap   = 100_000
	maxWindowBlocks       = 1 << 40
	MaxEpochIdentifierLen = 64
	// MaxUnavailableMinReportsCap bounds unavailable_min_reports (a node's reports are
	// read whole when it is a candidate).
	MaxUnavailableMinReportsCap = 1000
)
