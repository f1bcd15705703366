package types

import (
	"strconv"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/internal/abcievent"
)

// ABCIEvent is implemented by the events emitted for every task (submit, assign,
// precommit, commit, commit phase, end). Each returns exactly what
// sdk.TypedEventToEvent returns for it (events_abci_test.go compares them on random
// values); x/internal/abcievent says how. At a few thousand events per block the SDK's
// reflection was 7 % of a loaded node's CPU.
type ABCIEvent = abcievent.Encoder

var (
	_ ABCIEvent = (*EventTaskSubmitted)(nil)
	_ ABCIEvent = (*EventTaskAssigned)(nil)
	_ ABCIEvent = (*EventCommitPhase)(nil)
	_ ABCIEvent = (*EventPrecommitted)(nil)
	_ ABCIEvent = (*EventCommitted)(nil)
	_ ABCIEvent = (*EventNodeMissed)(nil)
	_ ABCIEvent = (*EventTaskEnded)(nil)
)

// Attributes are listed in sorted key order, as TypedEventToEvent sorts them.

func (e *EventTaskSubmitted) ABCIEvent() sdk.Event {
	return abcievent.Event("cortd.sessions.v1.EventTaskSubmitted",
		abcievent.Attr("reserved", abcievent.String(e.Reserved)),
		abcievent.Attr("session_id", abcievent.Uint64(e.SessionId)),
		abcievent.Attr("task_id", abcievent.Uint64(e.TaskId)))
}

func (e *EventTaskAssigned) ABCIEvent() sdk.Event {
	return abcievent.Event("cortd.sessions.v1.EventTaskAssigned",
		abcievent.Attr("embedding_dim", abcievent.Uint32(e.EmbeddingDim)),
		abcievent.Attr("model_id", abcievent.String(e.ModelId)),
		abcievent.Attr("node_ids", abcievent.Strings(e.NodeIds)),
		abcievent.Attr("precommit_deadline", abcievent.Int64(e.PrecommitDeadline)),
		abcievent.Attr("prompt", abcievent.String(e.Prompt)),
		abcievent.Attr("prompt_type", abcievent.String(e.PromptType)),
		abcievent.Attr("sampling", e.Sampling.json()),
		abcievent.Attr("session_id", abcievent.Uint64(e.SessionId)),
		abcievent.Attr("task_id", abcievent.Uint64(e.TaskId)),
		abcievent.Attr("verification", abcievent.Enum(VerificationMode_name, int32(e.Verification))))
}

func (e *EventCommitPhase) ABCIEvent() sdk.Event {
	return abcievent.Event("cortd.sessions.v1.EventCommitPhase",
		abcievent.Attr("commit_deadline", abcievent.Int64(e.CommitDeadline)),
		abcievent.Attr("node_ids", abcievent.Strings(e.NodeIds)),
		abcievent.Attr("task_id", abcievent.Uint64(e.TaskId)))
}

func (e *EventPrecommitted) ABCIEvent() sdk.Event {
	return abcievent.Event("cortd.sessions.v1.EventPrecommitted",
		abcievent.Attr("node_id", abcievent.String(e.NodeId)),
		abcievent.Attr("task_id", abcievent.Uint64(e.TaskId)))
}

func (e *EventCommitted) ABCIEvent() sdk.Event {
	return abcievent.Event("cortd.sessions.v1.EventCommitted",
		abcievent.Attr("node_id", abcievent.String(e.NodeId)),
		abcievent.Attr("task_id", abcievent.Uint64(e.TaskId)))
}

func (e *EventNodeMissed) ABCIEvent() sdk.Event {
	return abcievent.Event("cortd.sessions.v1.EventNodeMissed",
		abcievent.Attr("node_id", abcievent.String(e.NodeId)),
		abcievent.Attr("status", abcievent.Enum(AssignmentStatus_name, int32(e.Status))),
		abcievent.Attr("task_id", abcievent.Uint64(e.TaskId)))
}

func (e *EventTaskEnded) ABCIEvent() sdk.Event {
	return abcievent.Event("cortd.sessions.v1.EventTaskEnded",
		abcievent.Attr("consensus_node", abcievent.String(e.ConsensusNode)),
		abcievent.Attr("height", abcievent.Int64(e.Height)),
		abcievent.Attr("paid", abcievent.String(e.Paid)),
		abcievent.Attr("result_sha256", abcievent.String(e.ResultSha256)),
		abcievent.Attr("result_text", abcievent.String(e.ResultText)),
		abcievent.Attr("session_id", abcievent.Uint64(e.SessionId)),
		abcievent.Attr("status", abcievent.Enum(TaskStatus_name, int32(e.Status))),
		abcievent.Attr("task_id", abcievent.Uint64(e.TaskId)),
		abcievent.Attr("validated_nodes", abcievent.Strings(e.ValidatedNodes)))
}

// json is the nested object as jsonpb writes it: fields in declaration order.
func (p *SamplingParams) json() string {
	b := make([]byte, 0, 128)
	b = append(b, `{"max_tokens":`...)
	b = strconv.AppendUint(b, uint64(p.MaxTokens), 10)
	b = append(b, `,"temperature":`...)
	b = append(b, abcievent.Dec(p.Temperature.MarshalJSON())...)
	b = append(b, `,"top_p":`...)
	b = append(b, abcievent.Dec(p.TopP.MarshalJSON())...)
	b = append(b, `,"top_k":`...)
	b = strconv.AppendUint(b, uint64(p.TopK), 10)
	b = append(b, `,"seed":`...)
	b = append(b, abcievent.Uint64(p.Seed)...)
	return string(append(b, '}'))
}
