package chain

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/app/stream"
	"github.com/cortnet/cortd/app/stream/streamtest"
	streamtypes "github.com/cortnet/cortd/app/stream/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// streamClient is a Client whose gRPC connection reaches a server that serves hub
// (none: a node without the event stream) and whose RPC address is rpc.
func streamClient(t *testing.T, hub *stream.Hub, rpc string) *Client {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &Client{cfg: Config{RPC: rpc}, conn: streamtest.Dial(t, hub), log: log}
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

// A tx in a block the stream delivered is found without asking the node (this
// client has no tx service: a lookup there would fail), with its code and its
// messages' responses, and before the block's subscribers hear of the block. A
// subscription without TxEvents gets no per-tx Blocks.
func TestFindTxAnswersFromTheEventStream(t *testing.T) {
	hub := stream.NewHub()
	c := streamClient(t, hub, "tcp://127.0.0.1:1")
	tx := []byte("signed tx bytes")
	hash := TxHash(tx)
	var atBlock *sdk.TxResponse
	seen := make(chan Block, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_ = c.Subscribe(ctx, SubscribeConfig{}, func(b Block) {
			if !b.FromTx {
				atBlock, _ = c.FindTx(ctx, hash)
			}
			seen <- b
		}, func(string) {})
	}()
	require.Eventually(t, func() bool { return hub.Subscribers() == 1 }, 5*time.Second, 5*time.Millisecond)

	resp, err := codectypes.NewAnyWithValue(&sessionstypes.MsgSubmitTaskResponse{TaskId: 77})
	require.NoError(t, err)
	data, err := (&sdk.TxMsgData{MsgResponses: []*codectypes.Any{resp}}).Marshal()
	require.NoError(t, err)
	require.NoError(t, hub.ListenFinalizeBlock(context.Background(), abci.RequestFinalizeBlock{Height: 12, Txs: [][]byte{tx}},
		abci.ResponseFinalizeBlock{TxResults: []*abci.ExecTxResult{{Code: 0, Data: data, GasWanted: 10, GasUsed: 9, Events: testEvents}}}))
	require.NoError(t, hub.ListenCommit(context.Background(), abci.ResponseCommit{}, nil))

	b := <-seen
	require.Equal(t, int64(12), b.Height)
	require.NotNil(t, atBlock, "the result is known when the block is delivered")
	require.Equal(t, int64(12), atBlock.Height)
	require.Equal(t, hash, atBlock.TxHash)
	require.Equal(t, uint32(0), atBlock.Code)
	var out sessionstypes.MsgSubmitTaskResponse
	require.NoError(t, MsgResponse(atBlock, 0, &out))
	require.Equal(t, uint64(77), out.TaskId)
	select {
	case b := <-seen:
		t.Fatalf("a per-tx block without TxEvents: %+v", b)
	case <-time.After(100 * time.Millisecond):
	}
}

// recentTxs forgets a block's txs once recentTxBlocks newer blocks came.
func TestRecentTxsKeepsTheLastBlocks(t *testing.T) {
	var r recentTxs
	hashOf := func(i int) []byte { h := sha256.Sum256([]byte{byte(i), byte(i >> 8)}); return h[:] }
	for i := 0; i < recentTxBlocks+1; i++ {
		r.add(int64(i+1), []streamtypes.TxEvents{{Hash: hashOf(i), Code: uint32(i)}})
	}
	require.Nil(t, r.get(TxHash([]byte{0, 0})), "the oldest block is gone")
	got := r.get(strings.ToLower(TxHash([]byte{1, 0})))
	require.NotNil(t, got, "hashes match whatever their case")
	require.Equal(t, int64(2), got.Height)
	require.Equal(t, uint32(1), got.Code)
	require.NotNil(t, r.get(TxHash([]byte{recentTxBlocks, 0})))
}
