package nodes

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

const specUsage = `node spec as JSON: '{"cpu_cores":8,"ram_mib":32768,"gpu_model":"L4","gpu_count":1,"vram_mib":24576}'`

// AutoCLIOptions describes `cortd q nodes ...` and `cortd tx nodes ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.nodes.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Node", Use: "node [node-id]", Short: "Show a node and whether it is inactive",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}}},
				{RpcMethod: "Nodes", Use: "list", Short: "List all nodes"},
				{RpcMethod: "NodesByOperator", Use: "by-operator [operator]", Short: "List an operator's nodes",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}}},
				{RpcMethod: "EligibleNodes", Use: "eligible [model-id]", Short: "List nodes that can take work for a model now (--min-level)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "model_id"}}},
				{RpcMethod: "NodePeriods", Use: "periods [node-id]", Short: "Show a node's settled periods: stats, scores, level, reward (--page-reverse: newest first)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}}},
				{RpcMethod: "LevelHistory", Use: "levels [node-id]", Short: "Show a node's level, reputation and level history (--page-reverse: newest first)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}}},
				{RpcMethod: "CurrentPeriod", Use: "period", Short: "Show the open reward period and settlements (--node-id for a node's live counters)"},
				{RpcMethod: "Operator", Use: "operator [address]", Short: "Show an operator's roles and bonded node count",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}}},
				{RpcMethod: "Pools", Use: "pools", Short: "Show the staking pools"},
				{RpcMethod: "RewardsPool", Use: "rewards-pool", Short: "Show the rewards pool balance"},
				{RpcMethod: "Params", Use: "params", Short: "Show the x/nodes params"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.nodes.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RegisterNode",
					Use:       "register [node-id] [pool-id] [stake] [endpoint] [memory-index-mib] [model-id...]",
					Short:     "Register a node and escrow its stake (--spec JSON, --node-address for a separate heartbeat key)",
					Example: `cortd tx nodes register node1 3 6000000000ucor http://127.0.0.1:8081 20000 gpt2-tiny ` +
						`--spec '{"cpu_cores":8,"ram_mib":32768,"gpu_count":1,"gpu_model":"L4","vram_mib":24576}' --from operator1`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "node_id"}, {ProtoField: "pool_id"}, {ProtoField: "stake"}, {ProtoField: "endpoint"},
						{ProtoField: "memory_index_mib"}, {ProtoField: "models", Varargs: true},
					},
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"spec":         {Usage: specUsage},
						"node_address": {Usage: "address of the key that signs heartbeats (default: the operator)"},
					},
				},
				{
					RpcMethod:      "AddStake",
					Use:            "add-stake [node-id] [amount]",
					Short:          "Add stake to a node",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}, {ProtoField: "amount"}},
				},
				{
					RpcMethod: "UpdateNode",
					Use:       "update [node-id] [endpoint] [memory-index-mib] [model-id...]",
					Short:     "Replace a node's endpoint, spec (--spec JSON), memory index and models",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "node_id"}, {ProtoField: "endpoint"}, {ProtoField: "memory_index_mib"}, {ProtoField: "models", Varargs: true},
					},
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"spec":         {Usage: specUsage},
						"node_address": {Usage: "new heartbeat key address (default: keep)"},
					},
				},
				{
					RpcMethod:      "UnbondNode",
					Use:            "unbond [node-id]",
					Short:          "Stop work for a node now; its stake returns after the unbonding period",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}},
				},
				{
					RpcMethod:      "WithdrawRewards",
					Use:            "withdraw-rewards [node-id]",
					Short:          "Pay a node's accrued rewards to its operator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}},
				},
				{
					RpcMethod:      "Heartbeat",
					Use:            "heartbeat [node-id] [loaded-model-id...]",
					Short:          "Send a heartbeat from the node's key with the models warm now",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}, {ProtoField: "loaded_models", Varargs: true}},
				},
				{
					RpcMethod:      "FundRewardsPool",
					Use:            "fund-rewards-pool [amount]",
					Short:          "Add coins to the period rewards pool",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "amount"}},
				},
				{RpcMethod: "SetOperatorRoles", Skip: true}, // authority only: gov proposal
				{RpcMethod: "UpdateParams", Skip: true},     // authority only: gov proposal
			},
		},
	}
}
