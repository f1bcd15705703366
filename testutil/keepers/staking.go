package keepers

import (
	"strconv"
	"testing"

	sdkmath "cosmossdk.io/math"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	appparams "github.com/cortnet/cortd/app/params"
)

// StakingBase is Base plus a real x/staking keeper (bond denom ucor), for modules that
// read the bonded validator set. Validators are created through staking's own
// MsgCreateValidator and bonded by staking's own validator-set update, as in a block.
type StakingBase struct {
	*Base
	Staking *stakingkeeper.Keeper
	msgs    stakingtypes.MsgServer
}

// NewStakingBase builds Base with staking's store and pool accounts mounted, then the
// staking keeper. Arguments are those of NewBase for the module under test.
func NewStakingBase(t testing.TB, moduleAccounts map[string][]string, extraStoreKeys []string, modules ...module.AppModuleBasic) *StakingBase {
	t.Helper()
	accts := map[string][]string{
		stakingtypes.BondedPoolName:    {authtypes.Burner, authtypes.Staking},
		stakingtypes.NotBondedPoolName: {authtypes.Burner, authtypes.Staking},
	}
	for name, p := range moduleAccounts {
		accts[name] = p
	}
	keys := append([]string{stakingtypes.StoreKey}, extraStoreKeys...)
	mods := append([]module.AppModuleBasic{staking.AppModuleBasic{}}, modules...)
	base := NewBase(t, accts, keys, mods...)
	sk := stakingkeeper.NewKeeper(base.Cdc, base.StoreService(stakingtypes.StoreKey), base.Account, base.Bank,
		base.Authority, addresscodec.NewBech32Codec(appparams.Bech32PrefixValAddr),
		addresscodec.NewBech32Codec(appparams.Bech32PrefixConsAddr))
	params := stakingtypes.DefaultParams()
	params.BondDenom = appparams.BondDenom
	if err := sk.SetParams(base.Ctx, params); err != nil {
		t.Fatal(err)
	}
	return &StakingBase{Base: base, Staking: sk, msgs: stakingkeeper.NewMsgServerImpl(sk)}
}

// OperatorAddr is the operator account of the test validator called name.
func OperatorAddr(name string) sdk.AccAddress {
	return NewAddr("validator/" + name)
}

// AddValidator creates a validator operated by OperatorAddr(name) with a self-delegation
// of power × 10^6 ucor (consensus power = power). It stays unbonded until
// ApplyValidatorSetUpdates.
func (s *StakingBase) AddValidator(t testing.TB, name string, power int64) sdk.ValAddress {
	t.Helper()
	op := OperatorAddr(name)
	amount := sdk.NewCoin(appparams.BondDenom, sdk.TokensFromConsensusPower(power, sdk.DefaultPowerReduction))
	s.Fund(t, op, sdk.NewCoins(amount))
	pk := ed25519.GenPrivKeyFromSecret([]byte("validator/" + name)).PubKey()
	valAddr := sdk.ValAddress(op)
	msg, err := stakingtypes.NewMsgCreateValidator(valAddr.String(), pk, amount,
		stakingtypes.Description{Moniker: name},
		stakingtypes.NewCommissionRates(sdkmath.LegacyNewDecWithPrec(1, 1), sdkmath.LegacyNewDecWithPrec(2, 1), sdkmath.LegacyNewDecWithPrec(1, 2)),
		sdkmath.OneInt())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.msgs.CreateValidator(s.Ctx, msg); err != nil {
		t.Fatal(err)
	}
	return valAddr
}

// ApplyValidatorSetUpdates runs staking's end-block validator-set update: the top
// validators by power become bonded, the others (and jailed ones) leave the set.
func (s *StakingBase) ApplyValidatorSetUpdates(t testing.TB) {
	t.Helper()
	if _, err := s.Staking.ApplyAndReturnValidatorSetUpdates(s.Ctx); err != nil {
		t.Fatal(err)
	}
}

// CreateBondedValidators creates one bonded validator per power, named v0, v1, ...
// (operators OperatorAddr("v0"), ...), and returns their validator addresses in order.
func (s *StakingBase) CreateBondedValidators(t testing.TB, powers ...int64) []sdk.ValAddress {
	t.Helper()
	vals := make([]sdk.ValAddress, len(powers))
	for i, p := range powers {
		vals[i] = s.AddValidator(t, "v"+strconv.Itoa(i), p)
	}
	s.ApplyValidatorSetUpdates(t)
	for _, v := range vals {
		val, err := s.Staking.GetValidator(s.Ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if !val.IsBonded() {
			t.Fatalf("validator %s is %s, want bonded", v, val.Status)
		}
	}
	return vals
}

// Unbond jails the validator and applies the set update: it leaves the bonded set (its
// status becomes unbonding), as after a slashing-module jail.
func (s *StakingBase) Unbond(t testing.TB, val sdk.ValAddress) {
	t.Helper()
	v, err := s.Staking.GetValidator(s.Ctx, val)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := v.GetConsAddr()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Staking.Jail(s.Ctx, cons); err != nil {
		t.Fatal(err)
	}
	s.ApplyValidatorSetUpdates(t)
}
