package models

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/cortnet/cortd/x/models/types"
)

// AutoCLIOptions describes `cortd q models ...` and `cortd tx models ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.models.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "Model",
					Use:            "model [id]",
					Short:          "Show one registered model",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Models",
					Use:       "list",
					Short:     "List registered models (--status MODEL_STATUS_ACTIVE|MODEL_STATUS_RETIRED to filter)",
				},
				{
					RpcMethod: "Params",
					Use:       "params",
					Short:     "Show the x/models params",
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.models.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RegisterModel",
					Use:       "register [id] [name] [architecture] [weights-uri] [weights-sha256] [tokenizer-sha256] [embedding-dim] [memory-mib]",
					Short:     "Register a model; escrows the registration deposit unless sent by the authority",
					Example: "cortd tx models register gpt2-tiny 'GPT-2 tiny' gpt2 hf://cortnet/gpt2-tiny " +
						"<64 hex> <64 hex> 64 512 --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "id"}, {ProtoField: "name"}, {ProtoField: "architecture"},
						{ProtoField: "weights_uri"}, {ProtoField: "weights_sha256"}, {ProtoField: "tokenizer_sha256"},
						{ProtoField: "embedding_dim"}, {ProtoField: "memory_mib"},
					},
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"owner": {Usage: "owner address (authority only; defaults to the sender)"},
						"manifest_sha256": {Usage: "sha256 of the folder's manifest.json (cortd-sidecar model publish prints it); " +
							"weights-uri is then the folder's base (https, http or file)"},
						"modality": {Usage: "the data the model scores: text (the default; unspecified means text) or bytes " +
							"(raw bytes of any file; needs the byte tokenizer, tokenizer-sha256 " + types.ByteTokenizerSHA256 + ")"},
					},
				},
				{
					RpcMethod:      "RetireModel",
					Use:            "retire [id]",
					Short:          "Retire a model you own; refunds its deposit",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "UpdateParams",
					Skip:      true, // authority only: submitted through a gov proposal
				},
			},
		},
	}
}
