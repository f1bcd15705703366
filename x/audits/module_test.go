package audits_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/cosmos/cosmos-sdk/types/msgservice"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/audits"
	"github.com/cortnet/cortd/x/audits/keeper"
	"github.com/cortnet/cortd/x/audits/types"
)

// The real staking keeper is what the app passes.
var _ types.StakingKeeper = (*stakingkeeper.Keeper)(nil)

// TestModuleGenesisJSON runs the module's JSON genesis path as the app does.
func TestModuleGenesisJSON(t *testing.T) {
	sb := keepers.NewStakingBase(t, nil, []string{types.StoreKey}, audits.AppModule{})
	k := keeper.NewKeeper(sb.Cdc, sb.StoreService(types.StoreKey), sb.Staking, sb.Authority)
	am := audits.NewAppModule(sb.Cdc, k)
	def := am.DefaultGenesis(sb.Cdc)
	require.NoError(t, am.ValidateGenesis(sb.Cdc, nil, def))
	require.Error(t, am.ValidateGenesis(sb.Cdc, nil, []byte(`{"next_audit_id":"0"}`)))
	am.InitGenesis(sb.Ctx, sb.Cdc, def)
	require.JSONEq(t, string(def), string(am.ExportGenesis(sb.Ctx, sb.Cdc)))
	require.NoError(t, am.BeginBlock(sb.Ctx))
	require.NoError(t, am.EndBlock(sb.Ctx))
}

// TestAutoCLIMatchesServices: every autocli entry names a real RPC of its service, and
// every positional argument a real field of the request.
func TestAutoCLIMatchesServices(t *testing.T) {
	opts := audits.AppModule{}.AutoCLIOptions()
	for _, svc := range []*autocliv1.ServiceCommandDescriptor{opts.Query, opts.Tx} {
		d, err := proto.HybridResolver.FindDescriptorByName(protoreflect.FullName(svc.Service))
		require.NoError(t, err, svc.Service)
		sd, ok := d.(protoreflect.ServiceDescriptor)
		require.True(t, ok)
		require.Equal(t, sd.Methods().Len(), len(svc.RpcCommandOptions), "every RPC has a CLI entry in %s", svc.Service)
		for _, o := range svc.RpcCommandOptions {
			m := sd.Methods().ByName(protoreflect.Name(o.RpcMethod))
			require.NotNil(t, m, "%s.%s", svc.Service, o.RpcMethod)
			for _, arg := range o.PositionalArgs {
				require.NotNil(t, m.Input().Fields().ByName(protoreflect.Name(arg.ProtoField)), "%s %s", o.RpcMethod, arg.ProtoField)
			}
		}
	}
}

func TestProtoAnnotations(t *testing.T) {
	files, err := proto.MergedRegistry()
	require.NoError(t, err)
	require.NoError(t, msgservice.ValidateProtoAnnotations(files))
}

// TestVoteHelpMatchesTheRule: the chain refuses a second vote (ErrAlreadyVoted), so the
// CLI help must not promise that a later vote replaces an earlier one.
func TestVoteHelpMatchesTheRule(t *testing.T) {
	var help string
	opts := audits.AppModule{}.AutoCLIOptions()
	for _, o := range opts.Tx.RpcCommandOptions {
		if o.RpcMethod == "VoteFraud" {
			help = o.Short + " " + o.Long
		}
	}
	require.NotEmpty(t, help)
	require.NotContains(t, help, "replace")
	require.Contains(t, help, "one vote per validator")
	require.Contains(t, help, "ErrAlreadyVoted")
}
