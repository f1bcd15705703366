// Package keeper holds x/audits state and the logic behind its messages, queries,
// begin/end block and the keeper API subject modules call.
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

	"github.com/cortnet/cortd/x/audits/types"
)

// routerBox is shared by every copy of the Keeper, so the router can be set after the
// keeper was handed to the module and to the subject modules' keepers.
type routerBox struct {
	r types.Router
}

// Keeper owns the audits.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	staking      types.StakingKeeper
	// authority may update params (gov).
	authority string
	router    *routerBox

	Schema collections.Schema
	Params collections.Item[types.Params]
	// NextAuditID is the id the next audit gets (starts at 1).
	NextAuditID collections.Item[uint64]
	// Audits maps audit id to its record.
	Audits collections.Map[uint64, types.Audit]
	// Queue holds one entry per audit: (deadline, id) while PENDING, (voting end, id)
	// while VOTING, (prune height, id) once final. EndBlock processes it in key order.
	Queue collections.KeySet[collections.Pair[int64, uint64]]
	// BySubject indexes audits by (subject key, audit id); see types.SubjectKey.
	BySubject collections.KeySet[collections.Pair[string, uint64]]
	// OpenBySubject maps a subject key to its one open audit.
	OpenBySubject collections.Map[string, uint64]
	// ByAuditor indexes audits by (auditor operator account, audit id).
	ByAuditor collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	// Open holds the ids of PENDING and VOTING audits.
	Open collections.KeySet[uint64]
	// Votes maps (audit id, voter operator account) to the voter's current vote.
	Votes collections.Map[collections.Pair[uint64, sdk.AccAddress], types.Vote]
	// AuditorRecords maps an operator account to its counts; kept forever.
	AuditorRecords collections.Map[sdk.AccAddress, types.AuditorRecord]
	// Seed keeps the previous block's header hash, the input of the auditor seed.
	Seed collections.Item[types.SeedState]
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to update params
// (gov). The router is set later with SetRouter, once the subject modules' keepers exist.
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, staking types.StakingKeeper, authority string) Keeper {
	if _, err := sdk.AccAddressFromBech32(authority); err != nil {
		panic("x/audits: invalid authority address: " + err.Error())
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:          cdc,
		storeService: storeService,
		staking:      staking,
		authority:    authority,
		router:       &routerBox{},
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		NextAuditID:  collections.NewItem(sb, types.NextAuditIDKey, "next_audit_id", collections.Uint64Value),
		Audits:       collections.NewMap(sb, types.AuditsKey, "audits", collections.Uint64Key, codec.CollValue[types.Audit](cdc)),
		Queue: collections.NewKeySet(sb, types.QueueKey, "queue",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		BySubject: collections.NewKeySet(sb, types.SubjectIndexKey, "by_subject",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)),
		OpenBySubject: collections.NewMap(sb, types.OpenSubjectKey, "open_by_subject",
			collections.StringKey, collections.Uint64Value),
		ByAuditor: collections.NewKeySet(sb, types.AuditorIndexKey, "by_auditor",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		Open: collections.NewKeySet(sb, types.OpenIndexKey, "open", collections.Uint64Key),
		Votes: collections.NewMap(sb, types.VotesKey, "votes",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), codec.CollValue[types.Vote](cdc)),
		AuditorRecords: collections.NewMap(sb, types.AuditorRecordsKey, "auditor_records", sdk.AccAddressKey,
			codec.CollValue[types.AuditorRecord](cdc)),
		Seed: collections.NewItem(sb, types.SeedStateKey, "seed", codec.CollValue[types.SeedState](cdc)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// SetRouter installs the subject modules' handlers and seals the router. Call it once,
// during app construction, after every subject module added its route. Every copy of the
// keeper sees it. It panics if a router is already set.
func (k Keeper) SetRouter(r types.Router) {
	if k.router.r != nil {
		panic("x/audits: router already set")
	}
	if !r.Sealed() {
		r.Seal()
	}
	k.router.r = r
}

// Router returns the installed router (nil before SetRouter).
func (k Keeper) Router() types.Router { return k.router.r }

func (k Keeper) route(module string) (types.Handler, bool) {
	if k.router.r == nil {
		return nil, false
	}
	return k.router.r.GetRoute(module)
}

// Authority returns the module authority address.
func (k Keeper) Authority() string { return k.authority }

// Logger returns a module logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// GetParams returns the current params.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) {
	return k.Params.Get(ctx)
}

// GetAudit returns the audit with the given id, or ErrAuditNotFound.
func (k Keeper) GetAudit(ctx context.Context, id uint64) (types.Audit, error) {
	a, err := k.Audits.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Audit{}, errorsmod.Wrapf(types.ErrAuditNotFound, "%d", id)
	}
	return a, err
}

// GetAuditorRecord returns an auditor's counts (zero counts if never assigned).
func (k Keeper) GetAuditorRecord(ctx context.Context, auditor sdk.AccAddress) (types.AuditorRecord, error) {
	r, err := k.AuditorRecords.Get(ctx, auditor)
	if errors.Is(err, collections.ErrNotFound) {
		return types.AuditorRecord{Auditor: auditor.String()}, nil
	}
	return r, err
}

// bumpRecord applies f to an auditor's record and stores it.
func (k Keeper) bumpRecord(ctx context.Context, auditor string, f func(r *types.AuditorRecord)) error {
	addr, err := sdk.AccAddressFromBech32(auditor)
	if err != nil {
		return err
	}
	r, err := k.GetAuditorRecord(ctx, addr)
	if err != nil {
		return err
	}
	f(&r)
	return k.AuditorRecords.Set(ctx, addr, r)
}

// prevBlockHash is the seed input: the previous block's header hash recorded in BeginBlock.
func (k Keeper) prevBlockHash(ctx context.Context) ([]byte, error) {
	st, err := k.Seed.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, nil
	}
	return st.PrevBlockHash, err
}
