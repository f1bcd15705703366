// Package abcievent encodes typed events as the SDK's sdk.TypedEventToEvent does, by
// hand. The SDK marshals each event to JSON through reflection and parses it back into a
// map to make its attributes; for the events emitted once per task (thousands per block
// under load) that was several percent of a loaded node's CPU. A module's hand-written
// encodings list one attribute per field, sorted by name, whose value is the field as the
// SDK's jsonpb writes it (64-bit integers quoted, enums by name, every field even when
// empty), and are tested against the SDK's on random values.
package abcievent

import (
	"encoding/json"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Encoder is implemented by the events that encode themselves.
type Encoder interface {
	ABCIEvent() sdk.Event
}

// Event is an event of type typ (the message's full name) with attrs, which the caller
// lists in sorted key order, as TypedEventToEvent sorts them.
func Event(typ string, attrs ...abci.EventAttribute) sdk.Event {
	return sdk.Event{Type: typ, Attributes: attrs}
}

// Attr is one attribute.
func Attr(k, v string) abci.EventAttribute { return abci.EventAttribute{Key: k, Value: v} }

// Uint64 and Int64 are quoted, as jsonpb writes 64-bit integers (JavaScript numbers lose
// precision past 2^53); Uint32 is not.
func Uint64(v uint64) string { return `"` + strconv.FormatUint(v, 10) + `"` }

// Int64 is v quoted.
func Int64(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// Uint32 is v as a bare number.
func Uint32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// Enum is the value's name, quoted; a value without a name is written as a bare number,
// as jsonpb does.
func Enum(names map[int32]string, v int32) string {
	if name, ok := names[v]; ok {
		return `"` + name + `"`
	}
	return strconv.FormatInt(int64(v), 10)
}

// Dec is a LegacyDec's MarshalJSON; it cannot fail (the error is for the interface).
func Dec(b []byte, err error) []byte {
	if err != nil {
		return []byte(`""`)
	}
	return b
}

// String is encoding/json's encoding of s (what jsonpb calls): quotes, escapes, <, > and
// & as \u00XX, invalid UTF-8 as U+FFFD. Plain ASCII, the common case, skips it.
func String(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always marshals
			return string(b)
		}
	}
	return `"` + s + `"`
}

// Strings is a JSON array of String.
func Strings(v []string) string {
	b := make([]byte, 0, 2+len(v)*48)
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, String(s)...)
	}
	return string(append(b, ']'))
}
