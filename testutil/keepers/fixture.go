// Package keepers builds real keepers over an in-memory multistore for module tests,
// without linking the whole app (a full app link costs ~1.5 GB and 10-20 s per test binary).
package keepers

import (
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	"github.com/cosmos/cosmos-sdk/x/auth"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	appparams "github.com/cortnet/cortd/app/params"
)

// Base is the part of every module fixture: a context over real stores, codecs, and real
// x/auth and x/bank keepers. Module fixtures add their own keeper on top with Mount.
type Base struct {
	Ctx       sdk.Context
	Cdc       codec.Codec
	Keys      map[string]*storetypes.KVStoreKey
	Account   authkeeper.AccountKeeper
	Bank      bankkeeper.BaseKeeper
	Authority string
}

// NewBase builds the base fixture. moduleAccounts are extra module accounts (name →
// permissions) the module under test escrows in; extraStoreKeys are its store keys.
// modules register their interfaces in the codec.
func NewBase(t testing.TB, moduleAccounts map[string][]string, extraStoreKeys []string, modules ...module.AppModuleBasic) *Base {
	t.Helper()
	basics := append([]module.AppModuleBasic{auth.AppModuleBasic{}, bank.AppModuleBasic{}}, modules...)
	encCfg := moduletestutil.MakeTestEncodingConfig(basics...)

	names := append([]string{authtypes.StoreKey, banktypes.StoreKey}, extraStoreKeys...)
	keys := storetypes.NewKVStoreKeys(names...)
	ctx := testutil.DefaultContextWithKeys(keys, nil, nil).
		WithBlockHeader(cmtproto.Header{Height: 1, ChainID: "cort-test-1"}).
		WithLogger(log.NewNopLogger())

	authority := authtypes.NewModuleAddress("gov").String()
	perms := map[string][]string{minttypes.ModuleName: {authtypes.Minter, authtypes.Burner}}
	for name, p := range moduleAccounts {
		perms[name] = p
	}
	ak := authkeeper.NewAccountKeeper(encCfg.Codec, runtime.NewKVStoreService(keys[authtypes.StoreKey]),
		authtypes.ProtoBaseAccount, perms, addresscodec.NewBech32Codec(appparams.Bech32Prefix),
		appparams.Bech32Prefix, authority)
	blocked := map[string]bool{}
	for name := range moduleAccounts {
		blocked[authtypes.NewModuleAddress(name).String()] = true
	}
	bk := bankkeeper.NewBaseKeeper(encCfg.Codec, runtime.NewKVStoreService(keys[banktypes.StoreKey]), ak, blocked, authority, log.NewNopLogger())
	if err := bk.SetParams(ctx, banktypes.DefaultParams()); err != nil {
		t.Fatal(err)
	}
	return &Base{Ctx: ctx, Cdc: encCfg.Codec, Keys: keys, Account: ak, Bank: bk, Authority: authority}
}

// Fund mints coins to addr (through the mint module account, as real issuance would).
func (b *Base) Fund(t testing.TB, addr sdk.AccAddress, coins sdk.Coins) {
	t.Helper()
	if err := b.Bank.MintCoins(b.Ctx, minttypes.ModuleName, coins); err != nil {
		t.Fatal(err)
	}
	if err := b.Bank.SendCoinsFromModuleToAccount(b.Ctx, minttypes.ModuleName, addr, coins); err != nil {
		t.Fatal(err)
	}
}

// Balance returns addr's balance of denom.
func (b *Base) Balance(addr sdk.AccAddress, denom string) sdk.Coin {
	return b.Bank.GetBalance(b.Ctx, addr, denom)
}

// StoreService returns the KV store service of one of the mounted store keys.
func (b *Base) StoreService(name string) corestore.KVStoreService {
	return runtime.NewKVStoreService(b.Keys[name])
}

// NewAddr returns a deterministic test address derived from a name.
func NewAddr(name string) sdk.AccAddress {
	return authtypes.NewModuleAddress("test/" + name)
}
