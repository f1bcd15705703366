package sessions

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes `cortd q sessions ...` and `cortd tx sessions ...`. Precommit
// and commit carry hashes and embeddings: the sidecar sends them, the CLI skips them.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.sessions.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Session", Use: "session [session-id]", Short: "Show a session",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "session_id"}}},
				{RpcMethod: "SessionsByOwner", Use: "sessions [owner]", Short: "List an owner's sessions",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "owner"}}},
				{RpcMethod: "Task", Use: "task [task-id]", Short: "Show a task with each node's status and result",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "task_id"}}},
				{RpcMethod: "Tasks", Use: "tasks-by-id [task-id]...", Short: "Show several tasks at once (at most 1,000 ids)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "task_ids", Varargs: true}}},
				{RpcMethod: "TasksBySession", Use: "tasks [session-id]", Short: "List a session's tasks",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "session_id"}}},
				{RpcMethod: "QueueLength", Use: "queue", Short: "Queue length (--session-id for one session's)"},
				{RpcMethod: "NodeAssignments", Use: "assignments [node-id]", Short: "Tasks a node is working on",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}}},
				{RpcMethod: "Params", Use: "params", Short: "Show the x/sessions params"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.sessions.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "CreateSession",
					Use:       "create [model-id] [redundancy] [quorum] [price-per-task] [max-tokens] [deposit]",
					Short:     "Open a session; escrows the deposit (ucor)",
					Example:   "cortd tx sessions create gpt2-tiny 3 2 1000 256 1000000 --min-level 0 --verification exact --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "model_id"}, {ProtoField: "redundancy"}, {ProtoField: "quorum"},
						{ProtoField: "price_per_task"}, {ProtoField: "max_tokens"}, {ProtoField: "deposit"},
					},
					// autocli takes enum values without the VERIFICATION_MODE_ prefix, in kebab case.
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"verification": {Usage: "embedding (cosine to the medoid) or exact (identical results; the chain draws the seed when a task gives none); unspecified = the chain's default for the model"},
					},
				},
				{RpcMethod: "Deposit", Use: "deposit [session-id] [amount]", Short: "Add escrow (ucor) to a session",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "session_id"}, {ProtoField: "amount"}}},
				{RpcMethod: "CloseSession", Use: "close [session-id]", Short: "Close a session; unspent escrow is refunded once no task is in flight",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "session_id"}}},
				{RpcMethod: "SubmitTask", Use: "submit [session-id] [prompt]",
					Short:          "Queue a task ([--max-tokens 64] [--temperature 0.7] [--top-p 1] [--top-k 40] [--seed 1] [--prompt-type chat])",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "session_id"}, {ProtoField: "prompt"}},
					// OpenAI's defaults. Autocli only displays a default for decimal flags; cortd's
					// root command applies these when the flag is not given (cmd/cortd/cmd).
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"temperature": {DefaultValue: "1", Usage: "sampling temperature in [0, 10]"},
						"top_p":       {DefaultValue: "1", Usage: "nucleus sampling mass in (0, 1]"},
						"max_tokens":  {Usage: "tokens to generate, 1..the session's max_tokens (default: the session's max_tokens, queried before signing)"},
					}},
				{RpcMethod: "Precommit", Skip: true},
				{RpcMethod: "Commit", Skip: true},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
