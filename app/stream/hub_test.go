package stream_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/app/stream"
	"github.com/cortnet/cortd/app/stream/streamtest"
	"github.com/cortnet/cortd/app/stream/types"
)

// serve runs the hub behind a real gRPC server and returns a client.
func serve(t *testing.T, h *stream.Hub) types.StreamClient {
	t.Helper()
	return types.NewStreamClient(streamtest.Dial(t, h))
}

// subscribe opens a stream and reads its first message (the subscription's answer).
func subscribe(t *testing.T, c types.StreamClient, txEvents bool) (types.Stream_BlockEventsClient, int64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := c.BlockEvents(ctx, &types.BlockEventsRequest{TxEvents: txEvents})
	require.NoError(t, err)
	m, err := s.Recv()
	require.NoError(t, err)
	require.True(t, m.Subscribed)
	require.Empty(t, m.Events)
	return s, m.Height
}

func ev(typ, key, value string) abci.Event {
	return abci.Event{Type: typ, Attributes: []abci.EventAttribute{{Key: key, Value: value, Index: true}}}
}

// block runs the listener hooks as BaseApp does for one block.
func block(t *testing.T, h *stream.Hub, height int64, events []abci.Event, txs ...*abci.ExecTxResult) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, h.ListenFinalizeBlock(ctx, abci.RequestFinalizeBlock{Height: height},
		abci.ResponseFinalizeBlock{Events: events, TxResults: txs}))
	require.NoError(t, h.ListenCommit(ctx, abci.ResponseCommit{}, nil))
}

func waitSubscribers(t *testing.T, h *stream.Hub, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return h.Subscribers() == n }, 5*time.Second, 5*time.Millisecond)
}

func TestHubStreamsCommittedBlocks(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	block(t, h, 7, []abci.Event{ev("before", "k", "v")}) // before anyone subscribed

	plain, last := subscribe(t, c, false)
	require.Equal(t, int64(7), last, "the answer names the last committed height")
	withTxs, _ := subscribe(t, c, true)

	txs := []*abci.ExecTxResult{
		{Code: 0, Data: []byte{1, 2, 3}, GasWanted: 90, GasUsed: 80,
			Events: []abci.Event{ev("cortd.sessions.v1.EventPrecommitted", "task_id", `"1"`)}},
		{Code: 11, Codespace: "sdk", Log: "out of gas", Events: []abci.Event{ev("tx", "fee", "5ucor")}},
	}
	rawTxs := [][]byte{[]byte("tx one"), []byte("tx two")}
	// Finalized but not committed: nothing is sent before Commit.
	require.NoError(t, h.ListenFinalizeBlock(context.Background(), abci.RequestFinalizeBlock{Height: 8, Txs: rawTxs},
		abci.ResponseFinalizeBlock{Events: []abci.Event{ev("cortd.sessions.v1.EventTaskAssigned", "task_id", `"1"`)}, TxResults: txs}))
	got := make(chan *types.BlockEventsResponse, 1)
	go func() {
		m, err := plain.Recv()
		if err == nil {
			got <- m
		}
	}()
	select {
	case m := <-got:
		t.Fatalf("sent before commit: %v", m)
	case <-time.After(100 * time.Millisecond):
	}
	require.NoError(t, h.ListenCommit(context.Background(), abci.ResponseCommit{}, nil))

	m := <-got
	require.Equal(t, int64(8), m.Height)
	require.False(t, m.Subscribed)
	require.Equal(t, []types.Event{{Type: "cortd.sessions.v1.EventTaskAssigned",
		Attributes: []types.EventAttribute{{Key: "task_id", Value: `"1"`, Index: true}}}}, m.Events)
	// Every subscriber gets each tx's result (to confirm its own txs by hash); the
	// events only those that asked.
	hash0, hash1 := sha256.Sum256(rawTxs[0]), sha256.Sum256(rawTxs[1])
	require.Equal(t, []types.TxEvents{
		{Hash: hash0[:], Code: 0, Data: []byte{1, 2, 3}, GasWanted: 90, GasUsed: 80},
		{Hash: hash1[:], Code: 11, Codespace: "sdk", Log: "out of gas"},
	}, m.Txs)

	m, err := withTxs.Recv()
	require.NoError(t, err)
	require.Equal(t, int64(8), m.Height)
	require.Len(t, m.Events, 1)
	require.Len(t, m.Txs, 2)
	require.Equal(t, uint32(0), m.Txs[0].Code)
	require.Equal(t, hash0[:], m.Txs[0].Hash)
	require.Equal(t, "cortd.sessions.v1.EventPrecommitted", m.Txs[0].Events[0].Type)
	require.Equal(t, uint32(11), m.Txs[1].Code, "failed txs' events are sent too")
	require.Equal(t, "5ucor", m.Txs[1].Events[0].Attributes[0].Value)

	// Blocks arrive in order.
	for h2 := int64(9); h2 <= 12; h2++ {
		block(t, h, h2, []abci.Event{ev("b", "h", "x")})
	}
	for want := int64(9); want <= 12; want++ {
		m, err := plain.Recv()
		require.NoError(t, err)
		require.Equal(t, want, m.Height)
	}
}

func TestHubCutsOffALaggingSubscriber(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	slow, _ := subscribe(t, c, false)
	fast, _ := subscribe(t, c, false)
	waitSubscribers(t, h, 2)

	// The fast one reads every block; the slow one reads nothing, and once more
	// blocks than its buffer (and what gRPC's own buffers hold) are committed the
	// hub drops it instead of waiting. Large events fill gRPC's buffers quickly.
	big := string(make([]byte, 64<<10))
	for height := int64(1); h.Subscribers() == 2; height++ {
		require.Less(t, height, int64(10_000), "the lagging subscriber was never cut off")
		block(t, h, height, []abci.Event{ev("e", "v", big)})
		m, err := fast.Recv()
		require.NoError(t, err)
		require.Equal(t, height, m.Height)
	}
	for {
		_, err := slow.Recv()
		if err != nil {
			require.Equal(t, codes.ResourceExhausted, status.Code(err), err.Error())
			break
		}
	}
	// The other subscriber is unaffected.
	block(t, h, 10_001, nil)
	m, err := fast.Recv()
	require.NoError(t, err)
	require.Equal(t, int64(10_001), m.Height)
}

func TestHubBoundsSubscribers(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	for i := 0; i < stream.MaxSubscribers-1; i++ {
		subscribe(t, c, false)
	}
	ctx, leave := context.WithCancel(context.Background())
	defer leave()
	last, err := c.BlockEvents(ctx, &types.BlockEventsRequest{})
	require.NoError(t, err)
	_, err = last.Recv()
	require.NoError(t, err)

	s, err := c.BlockEvents(context.Background(), &types.BlockEventsRequest{})
	require.NoError(t, err)
	_, err = s.Recv()
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "one past the limit")

	// A subscriber that leaves frees its place.
	leave()
	waitSubscribers(t, h, stream.MaxSubscribers-1)
	subscribe(t, c, false)
	require.Equal(t, stream.MaxSubscribers, h.Subscribers())
}

// Close ends every open stream and refuses new ones: the node's gRPC server stops
// gracefully, and would wait forever on streams that never end by themselves.
func TestHubCloseEndsStreams(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	a, _ := subscribe(t, c, false)
	b, _ := subscribe(t, c, true)
	waitSubscribers(t, h, 2)
	h.Close()
	for _, s := range []types.Stream_BlockEventsClient{a, b} {
		_, err := s.Recv()
		require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	}
	waitSubscribers(t, h, 0)
	s, err := c.BlockEvents(context.Background(), &types.BlockEventsRequest{})
	require.NoError(t, err)
	_, err = s.Recv()
	require.Equal(t, codes.Unavailable, status.Code(err), "no new stream once closed")
	block(t, h, 1, nil) // a block after Close goes nowhere, and does not panic
}
