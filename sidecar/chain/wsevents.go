package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/gorilla/websocket"
)

// eventConn is a websocket connection to CometBFT's /websocket endpoint carrying
// event subscriptions. It reads events with encoding/json into the few fields a
// subscriber uses, where CometBFT's own client decodes each message through its
// amino-JSON codec with jsonpb per event attribute, and the query's map of every
// attribute beside: with the node sending a few thousand task events a block, that
// decoding was a fifth of a miner's CPU and two fifths of the router's.
type eventConn struct {
	conn *websocket.Conn
}

// maxEventMessage bounds one message from the node (a block's events).
const maxEventMessage = 256 << 20

// dialEvents connects to the node's websocket endpoint (rpc is its RPC address:
// tcp://, http:// or https://).
func dialEvents(ctx context.Context, rpc string) (*eventConn, error) {
	u, err := url.Parse(rpc)
	if err != nil {
		return nil, fmt.Errorf("rpc address %q: %w", rpc, err)
	}
	switch u.Scheme {
	case "tcp", "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return nil, fmt.Errorf("rpc address %q: want tcp://, http:// or https://", rpc)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/websocket"
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("websocket %s: %w", u.Redacted(), err)
	}
	conn.SetReadLimit(maxEventMessage)
	return &eventConn{conn: conn}, nil
}

func (e *eventConn) Close() error { return e.conn.Close() }

// subscribe asks for the events matching query; the node answers with id.
func (e *eventConn) subscribe(id int, query string) error {
	_ = e.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return e.conn.WriteJSON(map[string]any{
		"jsonrpc": "2.0", "id": id, "method": "subscribe",
		"params": map[string]string{"query": query},
	})
}

// Event data types as CometBFT names them in a subscription's messages.
const (
	wsNewBlockEvents = "tendermint/event/NewBlockEvents"
	wsTx             = "tendermint/event/Tx"
)

// wsMessage is one JSON-RPC message of the websocket: an answer to a request (id),
// an event of a subscription, or an error (a refused subscription, or one the node
// cancelled because this client fell behind).
type wsMessage struct {
	ID     json.RawMessage `json:"id"`
	Result struct {
		Data struct {
			Type  string `json:"type"`
			Value struct {
				// NewBlockEvents
				Height wsInt     `json:"height"`
				Events []wsEvent `json:"events"`
				// Tx
				TxResult *struct {
					Height wsInt `json:"height"`
					Result struct {
						Events []wsEvent `json:"events"`
					} `json:"result"`
				} `json:"TxResult"`
			} `json:"value"`
		} `json:"data"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

type wsEvent struct {
	Type       string `json:"type"`
	Attributes []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
		Index bool   `json:"index"`
	} `json:"attributes"`
}

// wsInt is an int64 written as a JSON string (or number).
type wsInt int64

func (n *wsInt) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	*n = wsInt(v)
	return err
}

func (e wsEvent) abci() abci.Event {
	out := abci.Event{Type: e.Type, Attributes: make([]abci.EventAttribute, len(e.Attributes))}
	for i, a := range e.Attributes {
		out.Attributes[i] = abci.EventAttribute{Key: a.Key, Value: a.Value, Index: a.Index}
	}
	return out
}

func abciEvents(in []wsEvent) []abci.Event {
	out := make([]abci.Event, len(in))
	for i, e := range in {
		out[i] = e.abci()
	}
	return out
}

// next reads one message until deadline. It returns the events it carried (nil for
// an answer to a request), or the node's error.
func (e *eventConn) next(deadline time.Time) (*Block, error) {
	_ = e.conn.SetReadDeadline(deadline)
	_, bz, err := e.conn.ReadMessage()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return nil, errEventDeadline
	}
	if err != nil {
		return nil, err
	}
	var m wsMessage
	if err := json.Unmarshal(bz, &m); err != nil {
		return nil, fmt.Errorf("event message: %w", err)
	}
	if m.Error != nil {
		return nil, fmt.Errorf("node: %s (%d) %s", m.Error.Message, m.Error.Code, m.Error.Data)
	}
	v := m.Result.Data.Value
	switch m.Result.Data.Type {
	case wsNewBlockEvents:
		return &Block{Height: int64(v.Height), Events: abciEvents(v.Events)}, nil
	case wsTx:
		if v.TxResult == nil {
			return nil, fmt.Errorf("tx event without its result")
		}
		return &Block{Height: int64(v.TxResult.Height), Events: abciEvents(v.TxResult.Result.Events), FromTx: true}, nil
	}
	return nil, nil
}
