package types

import (
	"encoding/json"
	"fmt"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"

	sdkmath "cosmossdk.io/math"
)

// FromABCIEvent reads the event back from its attributes, as sdk.ParseTypedEvent does
// (events_abci_test.go compares them), without ParseTypedEvent's JSON object
// reassembly and reflection-driven jsonpb decoding: every miner reads every task's
// assignment, and that decoding was 4 % of a loaded miner's CPU. Attributes it does
// not know are ignored (a newer chain may add fields).
func (e *EventTaskAssigned) FromABCIEvent(ev abci.Event) error {
	const typ = "cortd.sessions.v1.EventTaskAssigned"
	if ev.Type != typ {
		return fmt.Errorf("event %q is not %s", ev.Type, typ)
	}
	*e = EventTaskAssigned{}
	for _, a := range ev.Attributes {
		var err error
		switch a.Key {
		case "task_id":
			e.TaskId, err = quotedUint(a.Value, 64)
		case "session_id":
			e.SessionId, err = quotedUint(a.Value, 64)
		case "model_id":
			err = json.Unmarshal([]byte(a.Value), &e.ModelId)
		case "prompt":
			err = json.Unmarshal([]byte(a.Value), &e.Prompt)
		case "prompt_type":
			err = json.Unmarshal([]byte(a.Value), &e.PromptType)
		case "sampling":
			err = e.Sampling.fromJSON(a.Value)
		case "node_ids":
			err = json.Unmarshal([]byte(a.Value), &e.NodeIds)
		case "precommit_deadline":
			e.PrecommitDeadline, err = quotedInt(a.Value)
		case "embedding_dim":
			var v uint64
			v, err = strconv.ParseUint(a.Value, 10, 32)
			e.EmbeddingDim = uint32(v)
		case "verification":
			var v int32
			v, err = enumValue(VerificationMode_value, a.Value)
			e.Verification = VerificationMode(v)
		}
		if err != nil {
			return fmt.Errorf("%s.%s: %w", typ, a.Key, err)
		}
	}
	return nil
}

// fromJSON reads the object SamplingParams.json writes (any field order; unknown
// fields ignored).
func (p *SamplingParams) fromJSON(s string) error {
	var raw struct {
		MaxTokens   uint32          `json:"max_tokens"`
		Temperature *string         `json:"temperature"`
		TopP        *string         `json:"top_p"`
		TopK        uint32          `json:"top_k"`
		Seed        json.RawMessage `json:"seed"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return err
	}
	*p = SamplingParams{MaxTokens: raw.MaxTokens, TopK: raw.TopK}
	for _, d := range []struct {
		s   *string
		dst *sdkmath.LegacyDec
	}{{raw.Temperature, &p.Temperature}, {raw.TopP, &p.TopP}} {
		if d.s == nil {
			continue
		}
		v, err := sdkmath.LegacyNewDecFromStr(*d.s)
		if err != nil {
			return err
		}
		*d.dst = v
	}
	if len(raw.Seed) > 0 {
		seed, err := quotedUint(string(raw.Seed), 64)
		if err != nil {
			return err
		}
		p.Seed = seed
	}
	return nil
}

// quotedUint reads a 64-bit integer as jsonpb writes it (quoted) or a bare number.
func quotedUint(s string, bits int) (uint64, error) {
	return strconv.ParseUint(unquoteNumber(s), 10, bits)
}

func quotedInt(s string) (int64, error) { return strconv.ParseInt(unquoteNumber(s), 10, 64) }

func unquoteNumber(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// enumValue reads an enum as jsonpb writes it: its name quoted, or a bare number.
func enumValue(values map[string]int32, s string) (int32, error) {
	if len(s) >= 2 && s[0] == '"' {
		var name string
		if err := json.Unmarshal([]byte(s), &name); err != nil {
			return 0, err
		}
		if v, ok := values[name]; ok {
			return v, nil
		}
		return 0, fmt.Errorf("unknown enum value %q", name)
	}
	v, err := strconv.ParseInt(s, 10, 32)
	return int32(v), err
}
