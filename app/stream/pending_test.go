package stream_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/app/stream"
	"github.com/cortnet/cortd/app/stream/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func subscribePending(t *testing.T, c types.StreamClient) types.Stream_PendingSubmitsClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := c.PendingSubmits(ctx, &types.PendingSubmitsRequest{})
	require.NoError(t, err)
	m, err := s.Recv()
	require.NoError(t, err)
	require.True(t, m.Subscribed, "the first message is the subscription's answer")
	require.Empty(t, m.Submits)
	return s
}

func submit(session uint64, prompt string) sessionstypes.MsgSubmitTask {
	return sessionstypes.MsgSubmitTask{Owner: "cor1owner", SessionId: session, Prompt: prompt, MaxTokens: 8}
}

func TestPendingSubmitsReachEverySubscriber(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	require.False(t, h.WantsSubmits())
	h.PublishSubmits([]sessionstypes.MsgSubmitTask{submit(1, "before anyone subscribed")})
	a, b := subscribePending(t, c), subscribePending(t, c)
	require.True(t, h.WantsSubmits())

	h.PublishSubmits(nil) // a tx without submissions sends nothing
	h.PublishSubmits([]sessionstypes.MsgSubmitTask{submit(1, "first"), submit(2, "second")})
	for _, s := range []types.Stream_PendingSubmitsClient{a, b} {
		m, err := s.Recv()
		require.NoError(t, err)
		require.False(t, m.Subscribed)
		require.Zero(t, m.Dropped)
		require.Len(t, m.Submits, 2)
		require.Equal(t, "first", m.Submits[0].Prompt)
		require.Equal(t, uint64(2), m.Submits[1].SessionId)
		require.Equal(t, uint32(8), m.Submits[1].MaxTokens)
	}
}

// A subscriber that does not read loses submissions, never the stream, and never
// holds CheckTx up: the next message it gets says how many it missed.
func TestPendingSubmitsDropForASlowSubscriberAndSaySo(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	s := subscribePending(t, c)
	// The server's send loop drains the buffer into gRPC's flow-control window while
	// the client reads nothing, so publish well past both: some must drop.
	const n = 8 * stream.PendingBuffer
	big := strings.Repeat("x", 2048)
	for i := range n {
		h.PublishSubmits([]sessionstypes.MsgSubmitTask{submit(uint64(i+1), big)})
	}
	// Drops are reported with the next message queued: keep publishing a marker
	// until one gets through the drained buffer.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				h.PublishSubmits([]sessionstypes.MsgSubmitTask{submit(0, "marker")})
			}
		}
	}()
	var got, dropped uint64
	for {
		m, err := s.Recv()
		require.NoError(t, err, "the stream stays open")
		dropped += m.Dropped
		if m.Submits[0].Prompt == "marker" {
			break
		}
		got++
	}
	require.Positive(t, dropped, "a full buffer drops")
	require.Positive(t, got)
	require.GreaterOrEqual(t, got+dropped, uint64(n), "every submission was sent or counted as dropped")
}

func TestPendingSubmitsEndWhenTheNodeStops(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	s := subscribePending(t, c)
	h.Close()
	_, err := s.Recv()
	require.Equal(t, codes.Unavailable, status.Code(err))
	later, err := c.PendingSubmits(context.Background(), &types.PendingSubmitsRequest{})
	require.NoError(t, err)
	_, err = later.Recv()
	require.Equal(t, codes.Unavailable, status.Code(err), "a stopping node refuses new streams")
}

// Pending streams share the hub's bound on streams with block streams.
func TestPendingSubmitsCountTowardTheStreamBound(t *testing.T) {
	h := stream.NewHub()
	c := serve(t, h)
	for i := 0; i < stream.MaxSubscribers-1; i++ {
		subscribe(t, c, false)
	}
	subscribePending(t, c)
	s, err := c.PendingSubmits(context.Background(), &types.PendingSubmitsRequest{})
	require.NoError(t, err)
	_, err = s.Recv()
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "one past the limit")
	b, err := c.BlockEvents(context.Background(), &types.BlockEventsRequest{})
	require.NoError(t, err)
	_, err = b.Recv()
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "for either kind")
}
