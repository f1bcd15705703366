package chain

import (
	"context"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/cortnet/cortd/app/stream"
	streamtypes "github.com/cortnet/cortd/app/stream/types"
)

// streamClient is a Client whose gRPC connection reaches a server that serves hub
// (none: a node without the event stream) and whose RPC address is rpc.
func streamClient(t *testing.T, hub *stream.Hub, rpc string) *Client {
	t.Helper()
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry()).GRPCCodec()
	ln := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.ForceServerCodec(cdc))
	if hub != nil {
		streamtypes.RegisterStreamServer(srv, hub)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return ln.Dial() }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(cdc)))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &Client{cfg: Config{RPC: rpc}, conn: conn, log: log}
}

// recorder collects what Subscribe delivers.
type recorder struct {
	mu     sync.Mutex
	blocks []Block
	gaps   []string
}

func (r *recorder) onBlock(b Block) { r.mu.Lock(); r.blocks = append(r.blocks, b); r.mu.Unlock() }
func (r *recorder) onGap(s string)  { r.mu.Lock(); r.gaps = append(r.gaps, s); r.mu.Unlock() }

func (r *recorder) snapshot() ([]Block, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Block(nil), r.blocks...), append([]string(nil), r.gaps...)
}

func subscribeInBackground(t *testing.T, c *Client, cfg SubscribeConfig) *recorder {
	t.Helper()
	r := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = c.Subscribe(ctx, cfg, r.onBlock, r.onGap); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func commit(t *testing.T, h *stream.Hub, height int64, events []abci.Event, txs ...*abci.ExecTxResult) {
	t.Helper()
	require.NoError(t, h.ListenFinalizeBlock(context.Background(), abci.RequestFinalizeBlock{Height: height},
		abci.ResponseFinalizeBlock{Events: events, TxResults: txs}))
	require.NoError(t, h.ListenCommit(context.Background(), abci.ResponseCommit{}, nil))
}

// The node's event stream delivers the same Blocks the websocket did: the block's
// events, then each tx's, with escapes and plain-text attributes intact. The RPC
// address leads nowhere, so nothing came through the websocket.
func TestSubscribeReadsTheNodesEventStream(t *testing.T) {
	hub := stream.NewHub()
	c := streamClient(t, hub, "tcp://127.0.0.1:1")
	r := subscribeInBackground(t, c, SubscribeConfig{TxEvents: true})
	require.Eventually(t, func() bool { return hub.Subscribers() == 1 }, 5*time.Second, 5*time.Millisecond)

	commit(t, hub, 42, testEvents,
		&abci.ExecTxResult{Events: testEvents[1:]},
		&abci.ExecTxResult{Code: 5, Events: testEvents[:1]})
	commit(t, hub, 44, testEvents[:1]) // 43 missing: a gap
	require.Eventually(t, func() bool { b, _ := r.snapshot(); return len(b) == 4 }, 5*time.Second, 5*time.Millisecond)

	blocks, gaps := r.snapshot()
	require.Equal(t, []Block{
		{Height: 42, Events: testEvents},
		{Height: 42, Events: testEvents[1:], FromTx: true},
		{Height: 42, Events: testEvents[:1], FromTx: true},
		{Height: 44, Events: testEvents[:1]},
	}, blocks)
	require.Equal(t, []string{"subscribed", "heights 43..43 missed"}, gaps)
}

// A node without the event stream (an older cortd) is followed through CometBFT's
// websocket.
func TestSubscribeFallsBackToTheWebsocket(t *testing.T) {
	msg := cometMessage(t, cmttypes.EventDataNewBlockEvents{Height: 9, Events: testEvents}, nil)
	c := streamClient(t, nil, wsServe(t, msg))
	r := subscribeInBackground(t, c, SubscribeConfig{})
	require.Eventually(t, func() bool { b, _ := r.snapshot(); return len(b) == 1 }, 5*time.Second, 5*time.Millisecond)
	blocks, gaps := r.snapshot()
	require.Equal(t, Block{Height: 9, Events: testEvents}, blocks[0])
	require.Equal(t, "subscribed", gaps[0])
	require.True(t, c.noStream.Load())
}

// A stream that stays silent past Idle counts as dead: the subscriber drops it and
// subscribes again (a gap, so the caller catches up), and blocks flow on the new one.
func TestSubscribeRenewsASilentStream(t *testing.T) {
	hub := stream.NewHub()
	c := streamClient(t, hub, "tcp://127.0.0.1:1")
	r := subscribeInBackground(t, c, SubscribeConfig{Idle: 400 * time.Millisecond, Backoff: 10 * time.Millisecond})
	require.Eventually(t, func() bool {
		_, gaps := r.snapshot()
		return len(gaps) >= 2
	}, 5*time.Second, 5*time.Millisecond)
	_, gaps := r.snapshot()
	require.Equal(t, "subscribed", gaps[1])

	require.Eventually(t, func() bool { return hub.Subscribers() == 1 }, 5*time.Second, 5*time.Millisecond)
	commit(t, hub, 3, testEvents[:1])
	require.Eventually(t, func() bool {
		b, _ := r.snapshot()
		return len(b) >= 1 && b[0].Height == 3
	}, 5*time.Second, 5*time.Millisecond)
}
