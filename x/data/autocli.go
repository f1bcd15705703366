package data

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes `cortd q data ...` and `cortd tx data ...`. MsgSubmitData
// carries an embedding and per-model losses: submitters build it with the sidecar
// (`cortd-sidecar score --submit`), so it has no positional CLI form here.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.data.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Target", Use: "target [id]", Short: "Show one target",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}}},
				{RpcMethod: "Targets", Use: "targets", Short: "List targets (--status TARGET_STATUS_OPEN, --epoch N)"},
				{RpcMethod: "Submission", Use: "submission [target-id]", Short: "Show the submission that filled a target",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "target_id"}}},
				{RpcMethod: "Pool", Use: "pool", Short: "Show the rewards pool, held bonds, reserved rewards and the epoch state"},
				{RpcMethod: "Params", Use: "params", Short: "Show the x/data params"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.data.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "SubmitData", Skip: true},
				{RpcMethod: "ClaimReward", Use: "claim [target-id]", Short: "Pay a passed target's reward 50/50 to submitter and model owner",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "target_id"}}},
				{RpcMethod: "FundPool", Use: "fund-pool [amount]", Short: "Add ucor to the data rewards pool",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "amount"}}},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
