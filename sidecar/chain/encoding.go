package chain

import (
	"os"
	"sync"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/std"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"
	"github.com/cosmos/gogoproto/proto"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Bech32 prefixes of the chain (the same as app/params; duplicated because the
// sidecar must not import app/).
const (
	Bech32Prefix        = "cor"
	bech32PrefixAccPub  = Bech32Prefix + "pub"
	bech32PrefixValAddr = Bech32Prefix + "valoper"
	bech32PrefixValPub  = Bech32Prefix + "valoperpub"
	bech32PrefixCons    = Bech32Prefix + "valcons"
	bech32PrefixConsPub = Bech32Prefix + "valconspub"
)

// Encoding is what the sidecar needs to encode txs and decode query answers.
type Encoding struct {
	Registry codectypes.InterfaceRegistry
	Codec    *codec.ProtoCodec
	TxConfig client.TxConfig
}

var setPrefixes sync.Once

// SetAddressPrefixes sets the SDK's global bech32 prefixes to the chain's, since
// sdk.AccAddress.String and the SDK's client helpers read them. Safe to call often;
// it leaves a config already set to the same prefixes (or sealed) alone.
func SetAddressPrefixes() {
	setPrefixes.Do(func() {
		// Name the SDK's config scope first: without it sdk.GetConfig makes a readlink
		// system call on every bech32 conversion (see app/params.PinConfigScope, which
		// the sidecar does not link).
		if os.Getenv(sdk.EnvConfigScope) == "" {
			_ = os.Setenv(sdk.EnvConfigScope, "cortd-sidecar")
		}
		cfg := sdk.GetConfig()
		if cfg.GetBech32AccountAddrPrefix() == Bech32Prefix {
			return
		}
		cfg.SetBech32PrefixForAccount(Bech32Prefix, bech32PrefixAccPub)
		cfg.SetBech32PrefixForValidator(bech32PrefixValAddr, bech32PrefixValPub)
		cfg.SetBech32PrefixForConsensusNode(bech32PrefixCons, bech32PrefixConsPub)
	})
}

// NewEncoding registers the standard types plus every cortd module's messages.
func NewEncoding() (Encoding, error) {
	SetAddressPrefixes()
	reg, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          address.Bech32Codec{Bech32Prefix: Bech32Prefix},
			ValidatorAddressCodec: address.Bech32Codec{Bech32Prefix: bech32PrefixValAddr},
		},
	})
	if err != nil {
		return Encoding{}, err
	}
	std.RegisterInterfaces(reg)
	authtypes.RegisterInterfaces(reg)
	banktypes.RegisterInterfaces(reg)
	modelstypes.RegisterInterfaces(reg)
	nodestypes.RegisterInterfaces(reg)
	paymentstypes.RegisterInterfaces(reg)
	sessionstypes.RegisterInterfaces(reg)
	auditstypes.RegisterInterfaces(reg)
	challengestypes.RegisterInterfaces(reg)
	datatypes.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)
	return Encoding{Registry: reg, Codec: cdc, TxConfig: authtx.NewTxConfig(cdc, authtx.DefaultSignModes)}, nil
}
