package payments

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes `cortd q payments ...` and `cortd tx payments ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.payments.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "SessionBalance",
					Use:            "session-balance [session-id]",
					Short:          "Show a session's escrow (free, reserved) and usage (deposited, paid, refunded)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "session_id"}},
				},
				{
					RpcMethod:      "PendingPayments",
					Use:            "pending [operator]",
					Short:          "Show an operator's pending (withdrawable) payments",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{RpcMethod: "Params", Use: "params", Short: "Show the x/payments params"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.payments.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "WithdrawPayments",
					Use:       "withdraw",
					Short:     "Withdraw your pending payments as a node operator",
				},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
