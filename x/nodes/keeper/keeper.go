// Package keeper holds x/nodes state and the logic behind its messages, queries, block
// hooks and the keeper API other modules (x/sessions, x/audits) call.
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

	"github.com/cortnet/cortd/x/internal/mintshare"
	"github.com/cortnet/cortd/x/nodes/types"
)

// Keeper owns the node registry, staking, liveness, scores, levels and period rewards.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	bank         types.BankKeeper
	account      types.AccountKeeper
	models       types.ModelsKeeper
	community    types.CommunityPool
	// mint is optional: nil disables the mint share.
	mint types.MintSource
	// feeCollector is the module account x/mint sends newly minted coins to.
	feeCollector string
	// authority may update params and set operator roles (gov).
	authority string
	// sources are set after construction (SetRewardSources) and shared by all copies.
	sources *rewardSources
	// mintShares is set after construction (SetMintShares) and shared by all copies.
	mintShares *mintshare.Ref

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Nodes maps node id to its record, iterated in id order (settlement pages follow it).
	Nodes collections.Map[string, types.Node]
	// NodesByOperator indexes (operator, node id).
	NodesByOperator collections.KeySet[collections.Pair[string, string]]
	// NodesByModel indexes (model id, node id) for every served model: the router's and
	// x/sessions' way to find candidates without scanning all nodes.
	NodesByModel collections.KeySet[collections.Pair[string, string]]
	// UnbondingQueue holds (completion height, node id) of unbonding nodes.
	UnbondingQueue collections.KeySet[collections.Pair[int64, string]]
	Operators      collections.Map[string, types.Operator]
	// Period is the open reward period.
	Period collections.Item[types.Period]
	// Settlements are closed periods still being settled, by period number.
	Settlements collections.Map[uint64, types.Settlement]
	// LiveStats are counters of periods not yet settled, by (period, node id).
	LiveStats collections.Map[collections.Pair[uint64, string], types.PeriodStats]
	// Records are settled periods by (node id, period), the last history_periods kept.
	Records collections.Map[collections.Pair[string, uint64], types.PeriodRecord]
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to update params
// and roles (gov); feeCollector names the module account that receives minted coins; mint
// may be nil.
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, bank types.BankKeeper, account types.AccountKeeper,
	models types.ModelsKeeper, community types.CommunityPool, mint types.MintSource, feeCollector, authority string,
) Keeper {
	if _, err := sdk.AccAddressFromBech32(authority); err != nil {
		panic("x/nodes: invalid authority address: " + err.Error())
	}
	sb := collections.NewSchemaBuilder(storeService)
	strPair := collections.PairKeyCodec(collections.StringKey, collections.StringKey)
	k := Keeper{
		cdc: cdc, storeService: storeService, bank: bank, account: account, models: models,
		community: community, mint: mint, feeCollector: feeCollector, authority: authority,
		sources:         &rewardSources{},
		mintShares:      mintshare.NewRef(types.ModuleName),
		Params:          collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Nodes:           collections.NewMap(sb, types.NodesKey, "nodes", collections.StringKey, codec.CollValue[types.Node](cdc)),
		NodesByOperator: collections.NewKeySet(sb, types.NodesByOperatorKey, "nodes_by_operator", strPair),
		NodesByModel:    collections.NewKeySet(sb, types.NodesByModelKey, "nodes_by_model", strPair),
		UnbondingQueue: collections.NewKeySet(sb, types.UnbondingQueueKey, "unbonding_queue",
			collections.PairKeyCodec(collections.Int64Key, collections.StringKey)),
		Operators:   collections.NewMap(sb, types.OperatorsKey, "operators", collections.StringKey, codec.CollValue[types.Operator](cdc)),
		Period:      collections.NewItem(sb, types.PeriodKey, "period", codec.CollValue[types.Period](cdc)),
		Settlements: collections.NewMap(sb, types.SettlementsKey, "settlements", collections.Uint64Key, codec.CollValue[types.Settlement](cdc)),
		LiveStats: collections.NewMap(sb, types.LiveStatsKey, "live_stats",
			collections.PairKeyCodec(collections.Uint64Key, collections.StringKey), codec.CollValue[types.PeriodStats](cdc)),
		Records: collections.NewMap(sb, types.RecordsKey, "records",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), codec.CollValue[types.PeriodRecord](cdc)),
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
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) {
	return k.Params.Get(ctx)
}

// GetNode returns the node with the given id, or ErrNodeNotFound.
func (k Keeper) GetNode(ctx context.Context, id string) (types.Node, error) {
	n, err := k.Nodes.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Node{}, errorsmod.Wrapf(types.ErrNodeNotFound, "%q", id)
	}
	return n, err
}

// getOperator returns the operator record, or an empty one for a new operator.
func (k Keeper) getOperator(ctx context.Context, addr string) (types.Operator, error) {
	op, err := k.Operators.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Operator{Address: addr, Roles: []string{}}, nil
	}
	return op, err
}

// setOperator stores the operator, or deletes it when it holds nothing (no bonded nodes,
// no roles), so the map does not grow with departed operators.
func (k Keeper) setOperator(ctx context.Context, op types.Operator) error {
	if op.BondedNodes == 0 && len(op.Roles) == 0 {
		return k.Operators.Remove(ctx, op.Address)
	}
	return k.Operators.Set(ctx, op.Address, op)
}

// moduleAddress is the nodes module account (stakes, unbonding stakes, accrued rewards).
func (k Keeper) moduleAddress() sdk.AccAddress { return k.account.GetModuleAddress(types.ModuleName) }

// rewardsPoolBalance is the unallocated rewards pool.
func (k Keeper) rewardsPoolBalance(ctx context.Context, denom string) sdk.Coin {
	return k.bank.GetBalance(ctx, k.account.GetModuleAddress(types.RewardsPoolName), denom)
}
