// Package keeper holds x/models state and the logic behind its messages and queries.
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

	"github.com/cortnet/cortd/x/models/types"
)

// Keeper owns the model registry.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	bank         types.BankKeeper
	// authority may register models without a deposit, retire any model and update params.
	authority string

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Models maps model id to its record, iterated in id order.
	Models collections.Map[string, types.Model]
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to update params (gov).
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, bank types.BankKeeper, authority string) Keeper {
	if _, err := sdk.AccAddressFromBech32(authority); err != nil {
		panic("x/models: invalid authority address: " + err.Error())
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:          cdc,
		storeService: storeService,
		bank:         bank,
		authority:    authority,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Models:       collections.NewMap(sb, types.ModelsKey, "models", collections.StringKey, codec.CollValue[types.Model](cdc)),
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

// GetModel returns the model with the given id, or ErrModelNotFound.
// It is the hot path other modules (nodes, sessions, data) call for every lookup.
func (k Keeper) GetModel(ctx context.Context, id string) (types.Model, error) {
	m, err := k.Models.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Model{}, errorsmod.Wrapf(types.ErrModelNotFound, "%q", id)
	}
	return m, err
}

// GetActiveModel returns the model only if it can take new work.
func (k Keeper) GetActiveModel(ctx context.Context, id string) (types.Model, error) {
	m, err := k.GetModel(ctx, id)
	if err != nil {
		return m, err
	}
	if m.Status != types.MODEL_STATUS_ACTIVE {
		return types.Model{}, errorsmod.Wrapf(types.ErrAlreadyRetired, "%q", id)
	}
	return m, nil
}
