package dashboard

import (
	"encoding/json"

	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"

	"github.com/cortnet/cortd/sidecar/chain"
)

// typedEvents decodes a block's typed (proto) events.
//
// It does not use chain.Block.Typed: the SDK appends a plain-text attribute
// mode=BeginBlock or mode=EndBlock to every event emitted in BeginBlock and
// EndBlock, and that value is not JSON, so sdk.ParseTypedEvent fails on the whole
// event. Every EndBlock event was lost that way, among them x/sessions'
// EventTaskEnded (tasks are validated in EndBlock), which left the overview's
// rates at 0 while tasks validated. A typed event's own attributes are always
// JSON (sdk.TypedEventToEvent writes them so), so an attribute whose value is not
// JSON is one the SDK added and is skipped.
func typedEvents(b chain.Block) []proto.Message {
	var out []proto.Message
	for _, e := range b.Events {
		if proto.MessageType(e.Type) == nil {
			continue // an untyped SDK event (message, transfer, ...)
		}
		clean := abci.Event{Type: e.Type, Attributes: make([]abci.EventAttribute, 0, len(e.Attributes))}
		for _, a := range e.Attributes {
			if json.Valid([]byte(a.Value)) {
				clean.Attributes = append(clean.Attributes, a)
			}
		}
		if m, err := sdk.ParseTypedEvent(clean); err == nil {
			out = append(out, m)
		}
	}
	return out
}
