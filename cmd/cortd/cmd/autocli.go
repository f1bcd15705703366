package cmd

import (
	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoregistry"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/client/v2/autocli/flag"

	"github.com/cosmos/cosmos-sdk/client"
	sdkflags "github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/cortnet/cortd/cmd/cortd/internal/amountflag"
)

// enhanceWithAutoCLI adds every module's autocli queries and txs to rootCmd. It builds the
// same builder as autocli.AppOptions.EnhanceRootCommand, plus cortd's amount flag types:
// cosmos.Int amounts take a bare number of ucor and Coin fields a coin, and each refuses
// the other form before anything is signed.
func enhanceWithAutoCLI(rootCmd *cobra.Command, opts autocli.AppOptions) error {
	var files flag.FileResolver
	files, err := proto.MergedRegistry()
	if err != nil {
		files = opts.ClientCtx.InterfaceRegistry // what EnhanceRootCommand falls back to
	}
	builder := &autocli.Builder{
		Builder: flag.Builder{
			TypeResolver:          protoregistry.GlobalTypes,
			FileResolver:          files,
			AddressCodec:          opts.AddressCodec,
			ValidatorAddressCodec: opts.ValidatorAddressCodec,
			ConsensusAddressCodec: opts.ConsensusAddressCodec,
		},
		GetClientConn: func(cmd *cobra.Command) (grpc.ClientConnInterface, error) {
			return client.GetClientQueryContext(cmd)
		},
		AddQueryConnFlags: func(c *cobra.Command) {
			sdkflags.AddQueryFlagsToCmd(c)
			sdkflags.AddKeyringFlags(c.Flags())
		},
		AddTxConnFlags: sdkflags.AddTxFlagsToCmd,
	}
	amountflag.Register(&builder.Builder)
	return opts.EnhanceRootCommandWithBuilder(rootCmd, builder)
}
