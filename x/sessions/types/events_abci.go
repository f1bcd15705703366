package types

import (
	"encoding/json"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// ABCIEvent is implemented by the events emitted for every task (submit, assign,
// precommit, commit, commit phase, end). Each returns exactly what
// sdk.TypedEventToEvent returns for it (events_abci_test.go compares them on random
// values): the type name, and one attribute per field, sorted by name, whose value is the
// field as the SDK's jsonpb writes it (64-bit integers quoted, enums by name, every field
// even when empty). The SDK gets there by marshalling the event to JSON through
// reflection and parsing it back into a map; at a few thousand events per block that was
// 7 % of a loaded node's CPU.
type ABCIEvent interface {
	ABCIEvent() sdk.Event
}

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
	return event("cortd.sessions.v1.EventTaskSubmitted",
		attr("reserved", jsonString(e.Reserved)),
		attr("session_id", jsonUint64(e.SessionId)),
		attr("task_id", jsonUint64(e.TaskId)))
}

func (e *EventTaskAssigned) ABCIEvent() sdk.Event {
	return event("cortd.sessions.v1.EventTaskAssigned",
		attr("embedding_dim", jsonUint32(e.EmbeddingDim)),
		attr("model_id", jsonString(e.ModelId)),
		attr("node_ids", jsonStrings(e.NodeIds)),
		attr("precommit_deadline", jsonInt64(e.PrecommitDeadline)),
		attr("prompt", jsonString(e.Prompt)),
		attr("prompt_type", jsonString(e.PromptType)),
		attr("sampling", e.Sampling.json()),
		attr("session_id", jsonUint64(e.SessionId)),
		attr("task_id", jsonUint64(e.TaskId)),
		attr("verification", jsonEnum(VerificationMode_name, int32(e.Verification))))
}

func (e *EventCommitPhase) ABCIEvent() sdk.Event {
	return event("cortd.sessions.v1.EventCommitPhase",
		attr("commit_deadline", jsonInt64(e.CommitDeadline)),
		attr("node_ids", jsonStrings(e.NodeIds)),
		attr("task_id", jsonUint64(e.TaskId)))
}

func (e *EventPrecommitted) ABCIEvent() sdk.Event {
	return event("cortd.sessions.v1.EventPrecommitted",
		attr("node_id", jsonString(e.NodeId)),
		attr("task_id", jsonUint64(e.TaskId)))
}

func (e *EventCommitted) ABCIEvent() sdk.Event {
	return event("cortd.sessions.v1.EventCommitted",
		attr("node_id", jsonString(e.NodeId)),
		attr("task_id", jsonUint64(e.TaskId)))
}

func (e *EventNodeMissed) ABCIEvent() sdk.Event {
	return event("cortd.sessions.v1.EventNodeMissed",
		attr("node_id", jsonString(e.NodeId)),
		attr("status", jsonEnum(AssignmentStatus_name, int32(e.Status))),
		attr("task_id", jsonUint64(e.TaskId)))
}

func (e *EventTaskEnded) ABCIEvent() sdk.Event {
	return event("cortd.sessions.v1.EventTaskEnded",
		attr("consensus_node", jsonString(e.ConsensusNode)),
		attr("height", jsonInt64(e.Height)),
		attr("paid", jsonString(e.Paid)),
		attr("result_sha256", jsonString(e.ResultSha256)),
		attr("result_text", jsonString(e.ResultText)),
		attr("session_id", jsonUint64(e.SessionId)),
		attr("status", jsonEnum(TaskStatus_name, int32(e.Status))),
		attr("task_id", jsonUint64(e.TaskId)),
		attr("validated_nodes", jsonStrings(e.ValidatedNodes)))
}

// json is the nested object as jsonpb writes it: fields in declaration order.
func (p *SamplingParams) json() string {
	b := make([]byte, 0, 128)
	b = append(b, `{"max_tokens":`...)
	b = strconv.AppendUint(b, uint64(p.MaxTokens), 10)
	b = append(b, `,"temperature":`...)
	b = append(b, jsonDec(p.Temperature.MarshalJSON())...)
	b = append(b, `,"top_p":`...)
	b = append(b, jsonDec(p.TopP.MarshalJSON())...)
	b = append(b, `,"top_k":`...)
	b = strconv.AppendUint(b, uint64(p.TopK), 10)
	b = append(b, `,"seed":`...)
	b = append(b, jsonUint64(p.Seed)...)
	return string(append(b, '}'))
}

func event(typ string, attrs ...abci.EventAttribute) sdk.Event {
	return sdk.Event{Type: typ, Attributes: attrs}
}

func attr(k, v string) abci.EventAttribute { return abci.EventAttribute{Key: k, Value: v} }

// jsonpb quotes 64-bit integers (JavaScript numbers lose precision past 2^53).
func jsonUint64(v uint64) string { return `"` + strconv.FormatUint(v, 10) + `"` }
func jsonInt64(v int64) string   { return `"` + strconv.FormatInt(v, 10) + `"` }
func jsonUint32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// jsonEnum is the value's name, quoted; a value without a name is written as a bare
// number, as jsonpb does.
func jsonEnum(names map[int32]string, v int32) string {
	if name, ok := names[v]; ok {
		return `"` + name + `"`
	}
	return strconv.FormatInt(int64(v), 10)
}

// jsonDec is a LegacyDec's MarshalJSON; it cannot fail (the error is for the interface).
func jsonDec(b []byte, err error) []byte {
	if err != nil {
		return []byte(`""`)
	}
	return b
}

// jsonString is encoding/json's encoding of s (what jsonpb calls): quotes, escapes, <, >
// and & as \u00XX, invalid UTF-8 as U+FFFD. Plain ASCII, the common case, skips it.
func jsonString(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always marshals
			return string(b)
		}
	}
	return `"` + s + `"`
}

func jsonStrings(v []string) string {
	b := make([]byte, 0, 2+len(v)*48)
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, jsonString(s)...)
	}
	return string(append(b, ']'))
}
