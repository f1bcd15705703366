package chain

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

var testEvents = []abci.Event{
	{Type: "cortd.sessions.v1.EventTaskAssigned", Attributes: []abci.EventAttribute{
		{Key: "task_id", Value: `"7"`, Index: true},
		{Key: "node_ids", Value: `["n1","n2"]`},
		{Key: "prompt", Value: `"a \"quoted\" prompt\nwith ünïcode"`},
		{Key: "mode", Value: "EndBlock"},
	}},
	{Type: "cortd.sessions.v1.EventCommitPhase", Attributes: []abci.EventAttribute{{Key: "task_id", Value: `"8"`}}},
}

// cometMessage is a subscription message exactly as CometBFT's server writes it.
func cometMessage(t *testing.T, data cmttypes.TMEventData, events map[string][]string) []byte {
	t.Helper()
	res := rpctypes.NewRPCSuccessResponse(rpctypes.JSONRPCStringID("1#event"),
		&ctypes.ResultEvent{Query: "tm.event='x'", Data: data, Events: events})
	bz, err := json.Marshal(res)
	require.NoError(t, err)
	return bz
}

// wsServe answers the subscriptions and then writes msgs, as a node would.
func wsServe(t *testing.T, msgs ...[]byte) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/websocket", r.URL.Path)
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		var req struct {
			ID     int               `json:"id"`
			Method string            `json:"method"`
			Params map[string]string `json:"params"`
		}
		require.NoError(t, conn.ReadJSON(&req))
		require.Equal(t, "subscribe", req.Method)
		require.Equal(t, cmttypes.EventQueryNewBlockEvents.String(), req.Params["query"])
		ans, _ := json.Marshal(rpctypes.NewRPCSuccessResponse(rpctypes.JSONRPCIntID(req.ID), &ctypes.ResultSubscribe{}))
		_ = conn.WriteMessage(websocket.TextMessage, ans)
		for _, m := range msgs {
			_ = conn.WriteMessage(websocket.TextMessage, m)
		}
		_, _, _ = conn.ReadMessage() // until the client goes
	}))
	t.Cleanup(srv.Close)
	return "tcp://" + strings.TrimPrefix(srv.URL, "http://")
}

// Block and tx events decode from CometBFT's own encoding to the same events,
// strings with escapes and the SDK's plain-text attributes included.
func TestEventConnDecodesCometBFTMessages(t *testing.T) {
	block := cometMessage(t, cmttypes.EventDataNewBlockEvents{Height: 42, Events: testEvents, NumTxs: 3},
		map[string][]string{"cortd.sessions.v1.EventTaskAssigned.task_id": {`"7"`}})
	tx := cometMessage(t, cmttypes.EventDataTx{TxResult: abci.TxResult{Height: 43, Index: 1, Tx: []byte{1, 2},
		Result: abci.ExecTxResult{Code: 0, Events: testEvents[1:]}}}, nil)
	// CometBFT's own client reads the same message to the same events.
	var ref rpctypes.RPCResponse
	require.NoError(t, json.Unmarshal(block, &ref))
	var refEv ctypes.ResultEvent
	require.NoError(t, cmtjson.Unmarshal(ref.Result, &refEv))

	ws, err := dialEvents(context.Background(), wsServe(t, block, tx))
	require.NoError(t, err)
	defer ws.Close()
	require.NoError(t, ws.subscribe(1, cmttypes.EventQueryNewBlockEvents.String()))
	deadline := time.Now().Add(10 * time.Second)
	b, err := ws.next(deadline)
	require.NoError(t, err)
	require.Nil(t, b, "the subscription's answer carries no events")
	b, err = ws.next(deadline)
	require.NoError(t, err)
	require.Equal(t, Block{Height: 42, Events: testEvents}, *b)
	require.Equal(t, refEv.Data.(cmttypes.EventDataNewBlockEvents).Events, b.Events)
	b, err = ws.next(deadline)
	require.NoError(t, err)
	require.Equal(t, Block{Height: 43, Events: testEvents[1:], FromTx: true}, *b)
}

// The node's error (a refused or cancelled subscription) ends the read with it; a
// bad address is refused before dialling.
func TestEventConnErrors(t *testing.T) {
	cancelled, err := json.Marshal(rpctypes.RPCServerError(rpctypes.JSONRPCStringID("1#event"),
		errString("subscription was canceled (reason: client is not pulling messages fast enough)")))
	require.NoError(t, err)
	ws, err := dialEvents(context.Background(), wsServe(t, cancelled))
	require.NoError(t, err)
	defer ws.Close()
	require.NoError(t, ws.subscribe(1, cmttypes.EventQueryNewBlockEvents.String()))
	deadline := time.Now().Add(10 * time.Second)
	_, err = ws.next(deadline)
	require.NoError(t, err)
	_, err = ws.next(deadline)
	require.ErrorContains(t, err, "not pulling messages fast enough")

	_, err = dialEvents(context.Background(), "ftp://node:1")
	require.ErrorContains(t, err, "want tcp://")
}

type errString string

func (e errString) Error() string { return string(e) }
