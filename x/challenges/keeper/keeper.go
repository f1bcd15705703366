// Package keeper holds x/challenges state and the logic behind its messages, queries,
// end block and epoch hooks.
package keeper

import (
	"context"
	"errors"

	"github.com/cosmos/gogoproto/proto"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
	"github.com/cortnet/cortd/x/internal/mintshare"
)

// StatsKey is (epoch, task type, node id).
type StatsKey = collections.Triple[uint64, int32, string]

// Keeper owns the challenges.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	staking      types.StakingKeeper
	nodes        types.NodesKeeper
	bank         types.BankKeeper
	account      types.AccountKeeper
	distr        types.DistributionKeeper
	mint         types.MintSource
	feeCollector string
	authority    string
	// mintShares is set after construction (SetMintShares) and shared by all copies.
	mintShares *mintshare.Ref

	Schema collections.Schema
	Params collections.Item[types.Params]
	// NextChallengeID is the id the next challenge gets (starts at 1).
	NextChallengeID collections.Item[uint64]
	// Epoch is the number of the open epoch (starts at 1).
	Epoch      collections.Item[uint64]
	Challenges collections.Map[uint64, types.Challenge]
	// Queue holds one entry per challenge at the height of its next transition: the end
	// of the response window, of the reveals, the tests deadline, the evaluation end, and
	// once final the prune height. EndBlock processes it in key order, paged.
	Queue collections.KeySet[collections.Pair[int64, uint64]]
	// Answers maps (challenge id, node id) to an invited node's answer.
	Answers collections.Map[collections.Pair[uint64, string], types.Answer]
	// Submissions maps (challenge id, evaluator operator) to its scores.
	Submissions collections.Map[collections.Pair[uint64, sdk.AccAddress], types.ScoreSubmission]
	// EvaluatorRecords maps an evaluator's operator account to its agreement counts.
	EvaluatorRecords collections.Map[sdk.AccAddress, types.EvaluatorRecord]
	// OptIn maps an opted-in node id to its opt-in sequence number.
	OptIn collections.Map[string, uint64]
	// OptInBySeq maps the sequence number back to the node id (the scan order of the draw).
	OptInBySeq collections.Map[uint64, string]
	// NextOptInSeq is the sequence number of the next opt-in.
	NextOptInSeq collections.Item[uint64]
	// PostCounts maps (epoch, poster) to the challenges posted in that epoch.
	PostCounts collections.Map[collections.Pair[uint64, sdk.AccAddress], uint32]
	// MinerStats maps (epoch, task type, node id) to the scores aggregated in that epoch.
	MinerStats collections.Map[StatsKey, types.MinerStats]
	// Weights maps (epoch, task type, node id) to the weight computed at the epoch's end.
	Weights collections.Map[StatsKey, types.Weight]
	// Pending maps a node id to its accrued, unwithdrawn rewards (in the emission denom).
	Pending collections.Map[string, sdkmath.Int]
	// PendingTotal is the sum of Pending, held by the rewards pool.
	PendingTotal collections.Item[sdkmath.Int]
	// Closes maps an epoch to its close in progress (paged over EndBlocks, oldest first).
	Closes collections.Map[uint64, types.EpochClose]
	// CloseTotals maps (task type, node id) to the node's sums over the score window while
	// the oldest close accumulates them.
	CloseTotals collections.Map[CloseKey, types.MinerStats]
	// Reports maps (node id, reporter) to a report that the node failed an availability
	// probe; pruned once expired.
	Reports collections.Map[ReportKey, types.UnavailableReport]
	// ReportExpiry indexes the reports by (expires height, node id, reporter) for pruning.
	ReportExpiry collections.KeySet[ExpiryKey]
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to update params.
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, staking types.StakingKeeper,
	nodes types.NodesKeeper, bank types.BankKeeper, account types.AccountKeeper, distr types.DistributionKeeper,
	mint types.MintSource, feeCollector, authority string,
) Keeper {
	if _, err := sdk.AccAddressFromBech32(authority); err != nil {
		panic("x/challenges: invalid authority address: " + err.Error())
	}
	sb := collections.NewSchemaBuilder(storeService)
	statsKey := collections.TripleKeyCodec(collections.Uint64Key, collections.Int32Key, collections.StringKey)
	k := Keeper{
		cdc: cdc, storeService: storeService, staking: staking, nodes: nodes, bank: bank, account: account,
		distr: distr, mint: mint, feeCollector: feeCollector, authority: authority, mintShares: mintshare.NewRef(types.ModuleName),
		Params:          collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		NextChallengeID: collections.NewItem(sb, types.NextChallengeIDKey, "next_challenge_id", collections.Uint64Value),
		Epoch:           collections.NewItem(sb, types.EpochKey, "epoch", collections.Uint64Value),
		Challenges: collections.NewMap(sb, types.ChallengesKey, "challenges", collections.Uint64Key,
			codec.CollValue[types.Challenge](cdc)),
		Queue: collections.NewKeySet(sb, types.QueueKey, "queue",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		Answers: collections.NewMap(sb, types.AnswersKey, "answers",
			collections.PairKeyCodec(collections.Uint64Key, collections.StringKey), codec.CollValue[types.Answer](cdc)),
		Submissions: collections.NewMap(sb, types.SubmissionsKey, "submissions",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), codec.CollValue[types.ScoreSubmission](cdc)),
		EvaluatorRecords: collections.NewMap(sb, types.EvaluatorRecordsKey, "evaluator_records", sdk.AccAddressKey,
			codec.CollValue[types.EvaluatorRecord](cdc)),
		OptIn:        collections.NewMap(sb, types.OptInKey, "opt_in", collections.StringKey, collections.Uint64Value),
		OptInBySeq:   collections.NewMap(sb, types.OptInBySeqKey, "opt_in_by_seq", collections.Uint64Key, collections.StringValue),
		NextOptInSeq: collections.NewItem(sb, types.NextOptInSeqKey, "next_opt_in_seq", collections.Uint64Value),
		PostCounts: collections.NewMap(sb, types.PostCountsKey, "post_counts",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), collections.Uint32Value),
		MinerStats: collections.NewMap(sb, types.MinerStatsKey, "miner_stats", statsKey, codec.CollValue[types.MinerStats](cdc)),
		Weights:    collections.NewMap(sb, types.WeightsKey, "weights", statsKey, codec.CollValue[types.Weight](cdc)),
		Pending: collections.NewMap(sb, types.PendingRewardsKey, "pending_rewards", collections.StringKey,
			sdk.IntValue),
		PendingTotal: collections.NewItem(sb, types.PendingTotalKey, "pending_total", sdk.IntValue),
		Closes: collections.NewMap(sb, types.ClosesKey, "epoch_closes", collections.Uint64Key,
			codec.CollValue[types.EpochClose](cdc)),
		CloseTotals: collections.NewMap(sb, types.CloseTotalsKey, "close_totals",
			collections.PairKeyCodec(collections.Int32Key, collections.StringKey), codec.CollValue[types.MinerStats](cdc)),
		Reports: collections.NewMap(sb, types.ReportsKey, "unavailable_reports",
			collections.PairKeyCodec(collections.StringKey, sdk.AccAddressKey), codec.CollValue[types.UnavailableReport](cdc)),
		ReportExpiry: collections.NewKeySet(sb, types.ReportExpiryKey, "unavailable_report_expiry",
			collections.TripleKeyCodec(collections.Int64Key, collections.StringKey, sdk.AccAddressKey)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the module authority address.
func (k Keeper) Authority() string { return k.authority }

// Logger returns a module logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// GetParams returns the current params.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) { return k.Params.Get(ctx) }

// GetChallenge returns a challenge or ErrChallengeNotFound.
func (k Keeper) GetChallenge(ctx context.Context, id uint64) (types.Challenge, error) {
	c, err := k.Challenges.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return c, errorsmod.Wrapf(types.ErrChallengeNotFound, "%d", id)
	}
	return c, err
}

// GetEvaluatorRecord returns an evaluator's record (zero counts if it never scored).
func (k Keeper) GetEvaluatorRecord(ctx context.Context, ev sdk.AccAddress) (types.EvaluatorRecord, error) {
	r, err := k.EvaluatorRecords.Get(ctx, ev)
	if errors.Is(err, collections.ErrNotFound) {
		return types.EvaluatorRecord{Evaluator: ev.String()}, nil
	}
	return r, err
}

func emit(ctx context.Context, ev proto.Message) error {
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(ev)
}

func height(ctx context.Context) int64 { return sdk.UnwrapSDKContext(ctx).BlockHeight() }

// moduleAddr is the module account holding posting deposits.
func (k Keeper) moduleAddr() sdk.AccAddress { return k.account.GetModuleAddress(types.ModuleName) }

// setQueue moves a challenge's queue entry from old (0: none) to h.
func (k Keeper) setQueue(ctx context.Context, id uint64, old, h int64) error {
	if old != 0 {
		if err := k.Queue.Remove(ctx, collections.Join(old, id)); err != nil {
			return err
		}
	}
	return k.Queue.Set(ctx, collections.Join(h, id))
}
