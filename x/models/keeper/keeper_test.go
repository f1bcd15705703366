package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/models"
	"github.com/cortnet/cortd/x/models/keeper"
	"github.com/cortnet/cortd/x/models/types"
)

const denom = "ucor"

// fixture is a real x/models keeper over real auth and bank keepers.
type fixture struct {
	*keepers.Base
	k   keeper.Keeper
	msg types.MsgServer
	q   types.QueryServer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	base := keepers.NewBase(t, map[string][]string{types.ModuleName: nil}, []string{types.StoreKey}, models.AppModule{})
	k := keeper.NewKeeper(base.Cdc, base.StoreService(types.StoreKey), base.Bank, base.Authority)
	params := types.DefaultParams()
	params.RegistrationDeposit = sdk.NewCoin(denom, sdkmath.NewInt(100_000_000))
	require.NoError(t, k.InitGenesis(base.Ctx, &types.GenesisState{Params: params}))
	return &fixture{Base: base, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k)}
}

var (
	alice = keepers.NewAddr("alice")
	bob   = keepers.NewAddr("bob")
)

func hexOf(c byte) string { return strings.Repeat(string(c), 64) }

// validMsg is a registration that passes every check.
func validMsg(sender sdk.AccAddress, id string) *types.MsgRegisterModel {
	return &types.MsgRegisterModel{
		Sender:          sender.String(),
		Id:              id,
		Name:            "GPT-2 tiny",
		Architecture:    "gpt2",
		WeightsUri:      "hf://cortnet/gpt2-tiny",
		WeightsSha256:   hexOf('a'),
		TokenizerSha256: hexOf('b'),
		EmbeddingDim:    64,
		MemoryMib:       512,
	}
}

// snapshot captures everything a message could change: the exported module state and
// the balances of the actors and the module account.
type snapshot struct {
	state    *types.GenesisState
	balances []sdk.Coin
}

func (f *fixture) snapshot(t *testing.T) snapshot {
	t.Helper()
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	return snapshot{state: gs, balances: []sdk.Coin{
		f.Balance(alice, denom), f.Balance(bob, denom),
		f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(types.ModuleName), denom),
	}}
}

func (f *fixture) invariant() (string, bool) {
	return keeper.AllInvariants(f.k, f.Account)(f.Ctx)
}

func (f *fixture) checkInvariant(t *testing.T) {
	t.Helper()
	msg, broken := f.invariant()
	require.False(t, broken, msg)
}

func TestRegisterModelByUserEscrowsDeposit(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 150_000_000)))

	res, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, "gpt2-tiny"))
	require.NoError(t, err)
	require.Equal(t, "gpt2-tiny", res.Id)

	m, err := f.k.GetModel(f.Ctx, "gpt2-tiny")
	require.NoError(t, err)
	require.Equal(t, alice.String(), m.Owner)
	require.Equal(t, types.MODEL_STATUS_ACTIVE, m.Status)
	require.Equal(t, int64(100_000_000), m.Deposit.Amount.Int64())
	require.Equal(t, int64(1), m.RegisteredHeight)
	require.Equal(t, int64(50_000_000), f.Balance(alice, denom).Amount.Int64())
	require.Equal(t, int64(100_000_000), f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(types.ModuleName), denom).Amount.Int64())

	var found bool
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type == "cortd.models.v1.EventModelRegistered" {
			found = true
		}
	}
	require.True(t, found, "EventModelRegistered emitted")
	f.checkInvariant(t)
}

func TestRegisterModelByAuthority(t *testing.T) {
	f := newFixture(t)
	msg := validMsg(sdk.MustAccAddressFromBech32(f.Authority), "llama-1")
	msg.Architecture = "llama"
	msg.Owner = bob.String()
	_, err := f.msg.RegisterModel(f.Ctx, msg)
	require.NoError(t, err)
	m, err := f.k.GetModel(f.Ctx, "llama-1")
	require.NoError(t, err)
	require.Equal(t, bob.String(), m.Owner, "authority may name the owner")
	require.True(t, m.Deposit.IsZero(), "authority registers without a deposit")
	f.checkInvariant(t)
}

func TestRegisterModelRejections(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m *types.MsgRegisterModel)
		err    error
	}{
		{"empty name", func(m *types.MsgRegisterModel) { m.Name = "" }, types.ErrInvalidName},
		{"name too long", func(m *types.MsgRegisterModel) { m.Name = strings.Repeat("n", 129) }, types.ErrInvalidName},
		{"bad weights sha256 length", func(m *types.MsgRegisterModel) { m.WeightsSha256 = "abc" }, types.ErrInvalidSha256},
		{"uppercase weights sha256", func(m *types.MsgRegisterModel) { m.WeightsSha256 = hexOf('A') }, types.ErrInvalidSha256},
		{"non-hex tokenizer sha256", func(m *types.MsgRegisterModel) { m.TokenizerSha256 = hexOf('g') }, types.ErrInvalidSha256},
		{"zero embedding dim", func(m *types.MsgRegisterModel) { m.EmbeddingDim = 0 }, types.ErrInvalidEmbeddingDim},
		{"embedding dim over max", func(m *types.MsgRegisterModel) { m.EmbeddingDim = 8193 }, types.ErrInvalidEmbeddingDim},
		{"zero memory", func(m *types.MsgRegisterModel) { m.MemoryMib = 0 }, types.ErrInvalidMemory},
		{"memory over max", func(m *types.MsgRegisterModel) { m.MemoryMib = types.MaxMemoryMiB + 1 }, types.ErrInvalidMemory},
		{"memory max uint64", func(m *types.MsgRegisterModel) { m.MemoryMib = ^uint64(0) }, types.ErrInvalidMemory},
		{"name with a newline", func(m *types.MsgRegisterModel) { m.Name = "tiny\nforged" }, types.ErrInvalidName},
		{"name with an escape", func(m *types.MsgRegisterModel) { m.Name = "tiny\x1b[2J" }, types.ErrInvalidName},
		{"name not UTF-8", func(m *types.MsgRegisterModel) { m.Name = "tiny\xff" }, types.ErrInvalidName},
		{"unknown architecture", func(m *types.MsgRegisterModel) { m.Architecture = "mamba" }, types.ErrInvalidArchitecture},
		{"bad uri scheme", func(m *types.MsgRegisterModel) { m.WeightsUri = "ftp://x/y" }, types.ErrInvalidURI},
		{"uri too long", func(m *types.MsgRegisterModel) { m.WeightsUri = "https://x/" + strings.Repeat("a", 600) }, types.ErrInvalidURI},
		{"bad id", func(m *types.MsgRegisterModel) { m.Id = "has space" }, types.ErrInvalidID},
		{"empty id", func(m *types.MsgRegisterModel) { m.Id = "" }, types.ErrInvalidID},
		{"bad sender", func(m *types.MsgRegisterModel) { m.Sender = "cosmos1xyz" }, types.ErrInvalidAddress},
		{"user names another owner", func(m *types.MsgRegisterModel) { m.Owner = bob.String() }, types.ErrUnauthorized},
		{"short manifest sha256", func(m *types.MsgRegisterModel) {
			m.WeightsUri, m.ManifestSha256 = "https://x/gpt2/", hexOf('c')[:63]
		}, types.ErrInvalidSha256},
		{"uppercase manifest sha256", func(m *types.MsgRegisterModel) {
			m.WeightsUri, m.ManifestSha256 = "https://x/gpt2/", hexOf('C')
		}, types.ErrInvalidSha256},
		{"non-hex manifest sha256", func(m *types.MsgRegisterModel) {
			m.WeightsUri, m.ManifestSha256 = "https://x/gpt2/", hexOf('z')
		}, types.ErrInvalidSha256},
		{"manifest with an hf uri", func(m *types.MsgRegisterModel) { m.ManifestSha256 = hexOf('c') }, types.ErrInvalidURI},
		{"manifest with an ipfs uri", func(m *types.MsgRegisterModel) {
			m.WeightsUri, m.ManifestSha256 = "ipfs://bafy", hexOf('c')
		}, types.ErrInvalidURI},
		// A bytes model must read one token per byte: the chain knows the tokenizer only by
		// its digest, so it must be the byte tokenizer's.
		{"bytes model with another tokenizer", func(m *types.MsgRegisterModel) { m.Modality = types.MODALITY_BYTES }, types.ErrInvalidModality},
		{"unknown modality", func(m *types.MsgRegisterModel) { m.Modality = 3 }, types.ErrInvalidModality},
		{"negative modality", func(m *types.MsgRegisterModel) { m.Modality = -1 }, types.ErrInvalidModality},
		{"unknown modality with the byte tokenizer", func(m *types.MsgRegisterModel) {
			m.Modality, m.TokenizerSha256 = 7, types.ByteTokenizerSHA256
		}, types.ErrInvalidModality},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 200_000_000)))
			before := f.snapshot(t)
			msg := validMsg(alice, "m1")
			tc.mutate(msg)
			_, err := f.msg.RegisterModel(f.Ctx, msg)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
}

// TestRegisterModelModality: the modality is stored and emitted as registered; a text
// model may use any tokenizer (the byte tokenizer included) and unspecified stays text.
func TestRegisterModelModality(t *testing.T) {
	cases := []struct {
		name      string
		modality  types.Modality
		tokenizer string
		bytes     bool
	}{
		{"unspecified is text", types.MODALITY_UNSPECIFIED, hexOf('b'), false},
		{"text", types.MODALITY_TEXT, hexOf('b'), false},
		{"text on the byte tokenizer", types.MODALITY_TEXT, types.ByteTokenizerSHA256, false},
		{"bytes on the byte tokenizer", types.MODALITY_BYTES, types.ByteTokenizerSHA256, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 150_000_000)))
			msg := validMsg(alice, "m1")
			msg.Modality, msg.TokenizerSha256 = tc.modality, tc.tokenizer
			_, err := f.msg.RegisterModel(f.Ctx, msg)
			require.NoError(t, err)
			m, err := f.k.GetModel(f.Ctx, "m1")
			require.NoError(t, err)
			require.Equal(t, tc.modality, m.Modality)
			require.Equal(t, tc.bytes, m.Modality.IsBytes())
			require.True(t, m.Modality.Accepts(types.MODALITY_TEXT), "every model accepts text")
			require.Equal(t, tc.bytes, m.Modality.Accepts(types.MODALITY_BYTES), "only bytes models accept bytes")
			var emitted bool
			for _, ev := range f.Ctx.EventManager().Events() {
				if ev.Type != "cortd.models.v1.EventModelRegistered" {
					continue
				}
				for _, a := range ev.Attributes {
					if a.Key == "modality" {
						emitted = true
						require.Equal(t, `"`+tc.modality.String()+`"`, a.Value)
					}
				}
			}
			require.True(t, emitted, "EventModelRegistered carries the modality")
		})
	}
}

func TestRegisterModelDuplicateID(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 300_000_000)))
	_, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, "dup"))
	require.NoError(t, err)
	before := f.snapshot(t)
	_, err = f.msg.RegisterModel(f.Ctx, validMsg(alice, "dup"))
	require.ErrorIs(t, err, types.ErrModelExists)
	require.Equal(t, before, f.snapshot(t))
}

func TestRegisterModelInsufficientFunds(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 99_999_999)))
	before := f.snapshot(t)
	_, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, "poor"))
	require.Error(t, err)
	require.Contains(t, err.Error(), "insufficient funds")
	require.Equal(t, before, f.snapshot(t))
}

func TestRetireModel(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 100_000_000)))
	_, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, "m1"))
	require.NoError(t, err)

	// non-owner
	before := f.snapshot(t)
	_, err = f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: bob.String(), Id: "m1"})
	require.ErrorIs(t, err, types.ErrNotOwner)
	require.Equal(t, before, f.snapshot(t))

	// unknown
	_, err = f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: alice.String(), Id: "nope"})
	require.ErrorIs(t, err, types.ErrModelNotFound)

	// owner: refund, status, height
	f.Ctx = f.Ctx.WithBlockHeight(7)
	_, err = f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: alice.String(), Id: "m1"})
	require.NoError(t, err)
	m, err := f.k.GetModel(f.Ctx, "m1")
	require.NoError(t, err)
	require.Equal(t, types.MODEL_STATUS_RETIRED, m.Status)
	require.Equal(t, int64(7), m.RetiredHeight)
	require.True(t, m.Deposit.IsZero())
	require.Equal(t, int64(100_000_000), f.Balance(alice, denom).Amount.Int64())
	_, err = f.k.GetActiveModel(f.Ctx, "m1")
	require.ErrorIs(t, err, types.ErrAlreadyRetired)
	f.checkInvariant(t)

	// twice
	before = f.snapshot(t)
	_, err = f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: alice.String(), Id: "m1"})
	require.ErrorIs(t, err, types.ErrAlreadyRetired)
	require.Equal(t, before, f.snapshot(t))
}

func TestAuthorityCanRetireAnyModel(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 100_000_000)))
	_, err := f.msg.RegisterModel(f.Ctx, validMsg(alice, "m1"))
	require.NoError(t, err)
	_, err = f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: f.Authority, Id: "m1"})
	require.NoError(t, err)
	require.Equal(t, int64(100_000_000), f.Balance(alice, denom).Amount.Int64(), "refund goes to the owner, not the authority")
	f.checkInvariant(t)
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t)
	newParams := types.DefaultParams()
	newParams.AllowedArchitectures = []string{"gpt2", "llama", "qwen2"}
	newParams.RegistrationDeposit = sdk.NewInt64Coin(denom, 5)

	before := f.snapshot(t)
	_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: alice.String(), Params: newParams})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	require.Equal(t, before, f.snapshot(t))

	bad := newParams
	bad.AllowedArchitectures = nil
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: bad})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.Equal(t, before, f.snapshot(t))

	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: newParams})
	require.NoError(t, err)
	res, err := f.q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, newParams, res.Params)

	// the new architecture is accepted at once
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 5)))
	msg := validMsg(alice, "qwen")
	msg.Architecture = "qwen2"
	_, err = f.msg.RegisterModel(f.Ctx, msg)
	require.NoError(t, err)
}

func TestRegisterModelWithManifest(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, alice, sdk.NewCoins(sdk.NewInt64Coin(denom, 250_000_000)))
	msg := validMsg(alice, "m1")
	msg.WeightsUri, msg.ManifestSha256 = "https://models.example/gpt2-tiny/", hexOf('c')
	_, err := f.msg.RegisterModel(f.Ctx, msg)
	require.NoError(t, err)
	m, err := f.k.GetModel(f.Ctx, "m1")
	require.NoError(t, err)
	require.Equal(t, hexOf('c'), m.ManifestSha256)
	require.Equal(t, "https://models.example/gpt2-tiny/", m.WeightsUri)
	require.NoError(t, m.Validate())
	var attrs map[string]string
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type == "cortd.models.v1.EventModelRegistered" {
			attrs = map[string]string{}
			for _, a := range ev.Attributes {
				attrs[a.Key] = a.Value
			}
		}
	}
	require.Equal(t, `"`+hexOf('c')+`"`, attrs["manifest_sha256"], "the event names the manifest")
	require.Equal(t, `"https://models.example/gpt2-tiny/"`, attrs["weights_uri"])

	// Without a manifest the record keeps the version 1 meaning (and any uri scheme).
	_, err = f.msg.RegisterModel(f.Ctx, validMsg(alice, "m2"))
	require.NoError(t, err)
	m2, err := f.k.GetModel(f.Ctx, "m2")
	require.NoError(t, err)
	require.Empty(t, m2.ManifestSha256)
	f.checkInvariant(t)
}
