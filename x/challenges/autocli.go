package challenges

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes `cortd q challenges ...` and `cortd tx challenges ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.challenges.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "Challenge", Use: "challenge [id]", Short: "Show one challenge",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Challenges", Use: "challenges",
					Short: "List challenges (--status CHALLENGE_STATUS_COMMIT|REVEAL|TESTS|EVALUATING|SCORED|VOID, --poster ADDR)",
				},
				{
					RpcMethod: "Answers", Use: "answers [challenge-id]", Short: "List the answers (commitments, revealed patches, scores) of a challenge",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "challenge_id"}},
				},
				{
					RpcMethod: "Submissions", Use: "submissions [challenge-id]", Short: "List the evaluators' score submissions of a challenge",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "challenge_id"}},
				},
				{
					RpcMethod: "EvaluatorRecord", Use: "evaluator [address]", Short: "Show an evaluator's agreement with the medians",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "evaluator"}},
				},
				{
					RpcMethod: "Weights", Use: "weights [epoch] [task-type]", Short: "List miner weights of an epoch (task type codegen, bugfix or context-selection)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "epoch"}, {ProtoField: "task_type"}},
				},
				{
					RpcMethod: "OptedIn", Use: "opted-in [node-id]", Short: "Whether a node is opted in to challenges",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}},
				},
				{
					RpcMethod: "PendingRewards", Use: "rewards [node-id]", Short: "Show a node's pending challenge rewards and the pool",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}},
				},
				{
					RpcMethod: "Unavailability", Use: "unavailability [node-id]", Short: "A node's unexpired availability reports and whether invitations skip it",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}},
				},
				{RpcMethod: "Params", Use: "params", Short: "Show the x/challenges params"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.challenges.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "SetOptIn", Use: "opt-in [node-id] [true|false]", Short: "Opt a node you operate in to (or out of) challenge invitations",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}, {ProtoField: "opt_in"}},
				},
				{
					RpcMethod: "PostChallenge", Use: "post", Short: "Post a coding challenge as a bonded validator's operator (all fields as flags)",
				},
				{
					RpcMethod: "CommitPatch", Use: "commit-patch [challenge-id] [node-id] [commitment]",
					Short:          "Commit sha256(patch ‖ salt) (hex) for an invited node inside the response window",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "challenge_id"}, {ProtoField: "node_id"}, {ProtoField: "commitment"}},
				},
				{
					RpcMethod: "RevealPatch", Use: "reveal-patch [challenge-id] [node-id] [patch] [salt]",
					Short:          "Reveal the committed patch (bytes, base64) and salt (hex) after the response window",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "challenge_id"}, {ProtoField: "node_id"}, {ProtoField: "patch"}, {ProtoField: "salt"}},
				},
				{
					RpcMethod: "RevealTests", Use: "reveal-tests [challenge-id] [tests-url] [tests-sha256] [tests-size-bytes] [salt]",
					Short: "Reveal the hidden tests of your challenge after the reveals close",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "challenge_id"}, {ProtoField: "tests_url"},
						{ProtoField: "tests_sha256"}, {ProtoField: "tests_size_bytes"}, {ProtoField: "salt"}},
				},
				{
					RpcMethod: "SubmitScores", Use: "submit-scores [challenge-id]",
					Short:          `Submit one score (basis points) per revealed patch: --scores '{"node_id":"n1","score_bps":10000}'`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "challenge_id"}},
				},
				{
					RpcMethod: "ReportUnavailable", Use: "report-unavailable [challenge-id] [node-id]",
					Short:          "Report that a node invited to the challenge failed its availability probe (bonded validator's operator)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "challenge_id"}, {ProtoField: "node_id"}},
				},
				{
					RpcMethod: "WithdrawRewards", Use: "withdraw-rewards [node-id]", Short: "Withdraw a node's pending challenge rewards (node operator)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "node_id"}},
				},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
