// Package keeper holds x/payments state (SessionPayment: session escrows and node
// operators' pending payments) and the escrow API x/sessions drives.
package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// Keeper owns the session escrows and the pending payments.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	bank         types.BankKeeper
	account      types.AccountKeeper
	authority    string

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Balances maps session id to its escrow.
	Balances collections.Map[uint64, types.SessionBalance]
	// Pending maps operator address to earned, unwithdrawn payments (always > 0).
	Pending PendingPayments
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to update params.
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, bank types.BankKeeper,
	account types.AccountKeeper, authority string,
) Keeper {
	if _, err := sdk.AccAddressFromBech32(authority); err != nil {
		panic("x/payments: invalid authority address: " + err.Error())
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc: cdc, storeService: storeService, bank: bank, account: account, authority: authority,
		Params:   collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Balances: collections.NewMap(sb, types.BalancesKey, "balances", collections.Uint64Key, codec.CollValue[types.SessionBalance](cdc)),
		Pending:  PendingPayments{Map: collections.NewMap(sb, types.PendingKey, "pending", sdk.AccAddressKey, sdk.IntValue)},
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

// Denom returns the escrow denom.
func (k Keeper) Denom(ctx context.Context) (string, error) {
	p, err := k.Params.Get(ctx)
	return p.Denom, err
}

// GetBalance returns a session's escrow, or ErrSessionNotFound.
func (k Keeper) GetBalance(ctx context.Context, sessionID uint64) (types.SessionBalance, error) {
	b, err := k.Balances.Get(ctx, sessionID)
	if errors.Is(err, collections.ErrNotFound) {
		return b, errorsmod.Wrapf(types.ErrSessionNotFound, "%d", sessionID)
	}
	return b, err
}

// GetPending returns an operator's pending payments (zero when none).
func (k Keeper) GetPending(ctx context.Context, operator string) (sdkmath.Int, error) {
	v, err := k.Pending.Get(ctx, operator)
	if errors.Is(err, collections.ErrNotFound) {
		return sdkmath.ZeroInt(), nil
	}
	return v, err
}

func (k Keeper) moduleAddress() sdk.AccAddress { return k.account.GetModuleAddress(types.ModuleName) }
