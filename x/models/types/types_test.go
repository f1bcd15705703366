package types_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/cortnet/cortd/x/models/types"
)

var addr = authtypes.NewModuleAddress("test/alice").String()

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"a", "gpt2-tiny", "Llama-3.2_1B", strings.Repeat("x", 64)} {
		require.NoError(t, types.ValidateID(ok), ok)
	}
	for _, bad := range []string{"", "-lead", ".lead", "has space", "slash/inside", strings.Repeat("x", 65), "ünicode"} {
		require.ErrorIs(t, types.ValidateID(bad), types.ErrInvalidID, bad)
	}
}

func TestValidateSha256Hex(t *testing.T) {
	require.NoError(t, types.ValidateSha256Hex("f", strings.Repeat("0123456789abcdef", 4)))
	for _, bad := range []string{"", strings.Repeat("a", 63), strings.Repeat("a", 65), strings.Repeat("A", 64), strings.Repeat("z", 64)} {
		require.ErrorIs(t, types.ValidateSha256Hex("f", bad), types.ErrInvalidSha256, bad)
	}
}

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	cases := map[string]func(p *types.Params){
		"negative deposit":    func(p *types.Params) { p.RegistrationDeposit = sdk.Coin{Denom: "ucor", Amount: sdkmath.NewInt(-1)} },
		"bad deposit denom":   func(p *types.Params) { p.RegistrationDeposit = sdk.Coin{Denom: "1bad", Amount: sdkmath.NewInt(1)} },
		"no architectures":    func(p *types.Params) { p.AllowedArchitectures = nil },
		"empty architecture":  func(p *types.Params) { p.AllowedArchitectures = []string{""} },
		"zero max dim":        func(p *types.Params) { p.MaxEmbeddingDim = 0 },
		"zero max uri":        func(p *types.Params) { p.MaxUriLength = 0 },
		"zero max name":       func(p *types.Params) { p.MaxNameLength = 0 },
		"max dim over limit":  func(p *types.Params) { p.MaxEmbeddingDim = types.MaxEmbeddingDimLimit + 1 },
		"max uri over limit":  func(p *types.Params) { p.MaxUriLength = types.MaxURILengthLimit + 1 },
		"max name over limit": func(p *types.Params) { p.MaxNameLength = types.MaxNameLengthLimit + 1 },
		"long architecture": func(p *types.Params) {
			p.AllowedArchitectures = []string{strings.Repeat("a", types.MaxArchitectureLength+1)}
		},
		"architecture with a newline": func(p *types.Params) { p.AllowedArchitectures = []string{"llama\n"} },
		"too many architectures": func(p *types.Params) {
			p.AllowedArchitectures = nil
			for i := range types.MaxArchitectures + 1 {
				p.AllowedArchitectures = append(p.AllowedArchitectures, fmt.Sprintf("arch%d", i))
			}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			mutate(&p)
			require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
		})
	}
	require.True(t, types.DefaultParams().ArchitectureAllowed("llama"))
	require.False(t, types.DefaultParams().ArchitectureAllowed("LLAMA"))
}

func TestMsgValidateBasic(t *testing.T) {
	require.ErrorIs(t, (&types.MsgRetireModel{Sender: "nope", Id: "m"}).ValidateBasic(), types.ErrInvalidAddress)
	require.ErrorIs(t, (&types.MsgRetireModel{Sender: addr, Id: ""}).ValidateBasic(), types.ErrInvalidID)
	require.NoError(t, (&types.MsgRetireModel{Sender: addr, Id: "m"}).ValidateBasic())

	require.ErrorIs(t, (&types.MsgUpdateParams{Authority: "nope", Params: types.DefaultParams()}).ValidateBasic(), types.ErrInvalidAddress)
	require.ErrorIs(t, (&types.MsgUpdateParams{Authority: addr}).ValidateBasic(), types.ErrInvalidParams)

	reg := &types.MsgRegisterModel{
		Sender: addr, Id: "m", Name: "n", Architecture: "gpt2", WeightsUri: "ipfs://bafy",
		WeightsSha256: strings.Repeat("a", 64), TokenizerSha256: strings.Repeat("b", 64), EmbeddingDim: 1, MemoryMib: 1,
	}
	require.NoError(t, reg.ValidateBasic())
	reg.Owner = "nope"
	require.ErrorIs(t, reg.ValidateBasic(), types.ErrInvalidAddress)
	reg.Owner = ""
	reg.Name = string([]byte{0xff, 0xfe})
	require.ErrorIs(t, reg.ValidateBasic(), types.ErrInvalidName, "invalid UTF-8")
}
