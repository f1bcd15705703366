// Package keeper holds x/data state and the logic behind targets, submissions, audit
// outcomes and reward claims.
package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/mintshare"
)

// Keeper owns targets, submissions and the data module account's accounting.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	bank         types.BankKeeper
	account      types.AccountKeeper
	models       types.ModelsKeeper
	audits       types.AuditsKeeper
	community    types.CommunityPool
	mint         types.MintSource
	feeCollector string
	authority    string
	// mintShares is set after construction (SetMintShares) and shared by all copies.
	mintShares *mintshare.Ref

	Schema       collections.Schema
	Params       collections.Item[types.Params]
	NextTargetID collections.Item[uint64]
	// Targets maps target id to its record (kept; see README "Known limits").
	Targets collections.Map[uint64, types.Target]
	// OpenTargets holds the OPEN targets; the epoch end expires them all.
	OpenTargets collections.KeySet[uint64]
	// ToAudit holds FILLED targets waiting for the epoch end to open their audit.
	ToAudit collections.KeySet[uint64]
	// Submissions maps target id to the submission that filled it.
	Submissions collections.Map[uint64, types.Submission]
	// ByEpoch indexes targets by (epoch, id) for queries.
	ByEpoch    collections.KeySet[collections.Pair[int64, uint64]]
	Accounting collections.Item[types.Accounting]
	Epoch      collections.Item[types.EpochState]
	// LastBlockHash is written in EndBlock with the block's header hash, so during block h
	// (begin block, epoch hooks, txs) it holds the hash of block h−1: the seed input.
	LastBlockHash collections.Item[[]byte]
}

// NewKeeper builds the keeper. mint may be nil (no mint share); feeCollector is the
// module account x/mint pays into; authority may update params (gov).
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, bank types.BankKeeper, account types.AccountKeeper,
	models types.ModelsKeeper, audits types.AuditsKeeper, community types.CommunityPool, mint types.MintSource,
	feeCollector, authority string,
) Keeper {
	if _, err := sdk.AccAddressFromBech32(authority); err != nil {
		panic("x/data: invalid authority address: " + err.Error())
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc: cdc, storeService: storeService, bank: bank, account: account, models: models, audits: audits,
		community: community, mint: mint, feeCollector: feeCollector, authority: authority, mintShares: mintshare.NewRef(types.ModuleName),
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		NextTargetID: collections.NewItem(sb, types.NextTargetIDKey, "next_target_id", collections.Uint64Value),
		Targets:      collections.NewMap(sb, types.TargetsKey, "targets", collections.Uint64Key, codec.CollValue[types.Target](cdc)),
		OpenTargets:  collections.NewKeySet(sb, types.OpenTargetsKey, "open_targets", collections.Uint64Key),
		ToAudit:      collections.NewKeySet(sb, types.ToAuditKey, "to_audit", collections.Uint64Key),
		Submissions:  collections.NewMap(sb, types.SubmissionsKey, "submissions", collections.Uint64Key, codec.CollValue[types.Submission](cdc)),
		ByEpoch: collections.NewKeySet(sb, types.ByEpochKey, "by_epoch",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		Accounting:    collections.NewItem(sb, types.AccountingKey, "accounting", codec.CollValue[types.Accounting](cdc)),
		Epoch:         collections.NewItem(sb, types.EpochStateKey, "epoch", codec.CollValue[types.EpochState](cdc)),
		LastBlockHash: collections.NewItem(sb, types.LastBlockHashKey, "last_block_hash", collections.BytesValue),
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

// ModuleAddress is the data module account (pool, bonds, reserved rewards).
func (k Keeper) ModuleAddress() sdk.AccAddress { return k.account.GetModuleAddress(types.ModuleName) }

// GetTarget returns a target or ErrTargetNotFound.
func (k Keeper) GetTarget(ctx context.Context, id uint64) (types.Target, error) {
	t, err := k.Targets.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return t, errorsmod.Wrapf(types.ErrTargetNotFound, "%d", id)
	}
	return t, err
}

// prevBlockHash is the seed input; empty before the first EndBlock (genesis block).
func (k Keeper) prevBlockHash(ctx context.Context) ([]byte, error) {
	h, err := k.LastBlockHash.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, nil
	}
	return h, err
}

// EndBlocker records this block's header hash for the next block's seeds.
func (k Keeper) EndBlocker(ctx context.Context) error {
	return k.LastBlockHash.Set(ctx, sdk.UnwrapSDKContext(ctx).HeaderInfo().Hash)
}
