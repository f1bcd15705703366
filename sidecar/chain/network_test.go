package chain_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdknetwork "github.com/cosmos/cosmos-sdk/testutil/network"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/cortnet/cortd/sidecar/chain"
	cortnetwork "github.com/cortnet/cortd/testutil/network"
)

// TestOnNetwork starts one in-process validator and runs every network test of
// this package on it (starting one costs seconds, linking the app a lot more).
func TestOnNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process network test")
	}
	cfg := cortnetwork.DefaultConfig(1)
	cfg.TimeoutCommit = 500 * time.Millisecond
	testNet = cortnetwork.New(t, cfg)
	t.Run("UnorderedBurst", testUnorderedBurst)
	t.Run("UnorderedReplayRejected", testUnorderedReplayRejected)
	t.Run("OrderedQueueRecoversFromMismatch", testOrderedQueueRecoversFromMismatch)
	t.Run("SimulationErrorIsReported", testSimulationErrorIsReported)
	t.Run("SubscribeResubscribes", testSubscribeResubscribes)
	t.Run("BatcherIsolatesAFailingMessage", testBatcherIsolatesAFailingMessage)
}

var testNet *sdknetwork.Network

func network(t *testing.T) *sdknetwork.Network {
	t.Helper()
	require.NotNil(t, testNet)
	return testNet
}

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func dial(t *testing.T, rpc string) *chain.Client {
	t.Helper()
	val := network(t).Validators[0]
	if rpc == "" {
		rpc = val.RPCAddress
	}
	c, err := chain.Dial(context.Background(), chain.Config{GRPC: val.AppConfig.GRPC.Address, RPC: rpc, Log: logger()})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.Equal(t, cortnetwork.ChainID, c.ChainID())
	return c
}

func valSigner(t *testing.T, c *chain.Client) *chain.Signer {
	t.Helper()
	val := network(t).Validators[0]
	s, err := c.NewSigner(val.ClientCtx.Keyring, val.Moniker, chain.SignerConfig{})
	require.NoError(t, err)
	require.Equal(t, val.Address.String(), s.Address())
	return s
}

// freshAddress is an address nobody holds, so its balance counts exactly what a test sent.
func freshAddress(t *testing.T, tag string) sdk.AccAddress {
	t.Helper()
	b := make([]byte, 20)
	copy(b, tag+time.Now().Format("150405.000000000"))
	return sdk.AccAddress(b)
}

func balance(t *testing.T, c *chain.Client, addr sdk.AccAddress) int64 {
	t.Helper()
	res, err := banktypes.NewQueryClient(c.Conn()).Balance(context.Background(),
		&banktypes.QueryBalanceRequest{Address: addr.String(), Denom: "ucor"})
	require.NoError(t, err)
	return res.Balance.Amount.Int64()
}

func send1(from *chain.Signer, to sdk.AccAddress) sdk.Msg {
	return &banktypes.MsgSend{FromAddress: from.Address(), ToAddress: to.String(),
		Amount: sdk.NewCoins(sdk.NewCoin("ucor", sdkmath.NewInt(1)))}
}

// testUnorderedBurst sends 200 unordered txs from one key at once (no sequence
// involved): every one lands.
func testUnorderedBurst(t *testing.T) {
	c := dial(t, "")
	s := valSigner(t, c)
	to := freshAddress(t, "unordered")
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := s.SendUnordered(context.Background(), send1(s, to))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, n, balance(t, c, to))
	require.EqualValues(t, n, s.Stats.Sent.Load())
}

// testUnorderedReplayRejected re-broadcasts an included unordered tx: the chain
// refuses the reused nonce and nothing moves twice.
func testUnorderedReplayRejected(t *testing.T) {
	c := dial(t, "")
	s := valSigner(t, c)
	to := freshAddress(t, "replay")
	bz, _, err := s.SignUnordered(context.Background(), send1(s, to))
	require.NoError(t, err)
	hash, err := c.Broadcast(context.Background(), bz)
	require.NoError(t, err)
	_, err = c.WaitTx(context.Background(), hash, 30*time.Second)
	require.NoError(t, err)
	require.EqualValues(t, 1, balance(t, c, to))

	hash2, err := c.Broadcast(context.Background(), bz)
	if err == nil {
		// Accepted by a mempool cache miss: execution must still refuse it.
		_, err = c.WaitTx(context.Background(), hash2, 30*time.Second)
	}
	var te *chain.TxError
	require.True(t, errors.As(err, &te), "replay must be refused by the chain, got %v", err)
	require.NoError(t, network(t).WaitForNextBlock())
	require.EqualValues(t, 1, balance(t, c, to))
}

// TestOrderedQueueRecoversFromMismatch: another process uses the key behind the
// queue's back (its own sequence is then stale), then 200 ordered txs are queued at
// once: all land, the mismatch is resolved inside the signer, none surfaces.
func testOrderedQueueRecoversFromMismatch(t *testing.T) {
	c := dial(t, "")
	s := valSigner(t, c)
	other := valSigner(t, c) // a second queue on the same key: an outside sender
	to := freshAddress(t, "ordered")

	_, err := s.Send(context.Background(), send1(s, to))
	require.NoError(t, err)
	_, err = other.Send(context.Background(), send1(other, to))
	require.NoError(t, err)

	const n = 200
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Send(context.Background(), send1(s, to)); err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		}()
	}
	wg.Wait()
	require.Zero(t, failed.Load(), "first error: %v", firstErr.Load())
	require.EqualValues(t, n+2, balance(t, c, to))
	require.GreaterOrEqual(t, s.Stats.SequenceMismatches.Load(), uint64(1), "the stale sequence must have been noticed and fixed")
}

// TestSimulationErrorIsReported: a tx that cannot succeed is refused before broadcast.
func testSimulationErrorIsReported(t *testing.T) {
	c := dial(t, "")
	s := valSigner(t, c)
	msg := &banktypes.MsgSend{FromAddress: s.Address(), ToAddress: freshAddress(t, "toomuch").String(),
		Amount: sdk.NewCoins(sdk.NewCoin("ucor", sdkmath.NewInt(1).MulRaw(1_000_000_000_000_000)))}
	_, err := s.SendUnordered(context.Background(), msg)
	var se *chain.SimulationError
	require.True(t, errors.As(err, &se), "got %v", err)
	require.ErrorContains(t, err, "insufficient funds")
	_, err = s.Send(context.Background(), msg)
	require.True(t, errors.As(err, &se), "got %v", err)
}

// testSubscribeResubscribes runs the event subscription through a loopback proxy
// and cuts it: the subscriber reports a gap (so callers catch up from queries) and
// blocks keep arriving afterwards. Both ways of subscribing: the node's event
// stream (through its gRPC address) and CometBFT's websocket (its RPC address).
func testSubscribeResubscribes(t *testing.T) {
	t.Run("Stream", func(t *testing.T) { subscribeThroughACut(t, false) })
	t.Run("Websocket", func(t *testing.T) { subscribeThroughACut(t, true) })
}

func subscribeThroughACut(t *testing.T, websocket bool) {
	val := network(t).Validators[0]
	var p *proxy
	var c *chain.Client
	if websocket {
		p = startProxy(t, val.RPCAddress)
		c = dial(t, "tcp://"+p.addr())
	} else {
		// The RPC address leads nowhere: every block comes through the stream.
		p = startProxy(t, val.AppConfig.GRPC.Address)
		var err error
		c, err = chain.Dial(context.Background(), chain.Config{GRPC: p.addr(), RPC: "tcp://127.0.0.1:1", ChainID: cortnetwork.ChainID, Log: logger()})
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var heights []int64
	var gaps []string
	blocks := make(chan int64, 1024)
	done := make(chan error, 1)
	go func() {
		done <- c.Subscribe(ctx, chain.SubscribeConfig{TxEvents: true, Websocket: websocket, Idle: 3 * time.Second, Backoff: 200 * time.Millisecond},
			func(b chain.Block) {
				if b.FromTx {
					return
				}
				mu.Lock()
				heights = append(heights, b.Height)
				mu.Unlock()
				blocks <- b.Height
			},
			func(reason string) {
				mu.Lock()
				gaps = append(gaps, reason)
				mu.Unlock()
			})
	}()
	first := waitBlock(t, blocks, 0)
	waitBlock(t, blocks, first)

	p.cut(3 * time.Second) // drop every connection and refuse new ones for a while
	mu.Lock()
	cutAt := heights[len(heights)-1]
	gapsBefore := len(gaps)
	mu.Unlock()
	after := waitBlock(t, blocks, cutAt+2) // a block well after the cut
	require.Greater(t, after, cutAt+1)
	mu.Lock()
	require.Greater(t, len(gaps), gapsBefore, "a gap must be reported after the cut (gaps: %v)", gaps)
	mu.Unlock()
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func waitBlock(t *testing.T, blocks <-chan int64, atLeast int64) int64 {
	t.Helper()
	timeout := time.After(90 * time.Second)
	for {
		select {
		case h := <-blocks:
			if h > atLeast {
				return h
			}
		case <-timeout:
			t.Fatalf("no block above height %d within 90 s", atLeast)
		}
	}
}

// proxy forwards loopback TCP to target and can cut every connection.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	paused bool
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := target
	if len(u) > 6 && u[:6] == "tcp://" {
		u = u[6:]
	}
	p := &proxy{ln: ln, target: u}
	t.Cleanup(func() { ln.Close(); p.closeAll() })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		paused := p.paused
		p.mu.Unlock()
		if paused {
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(out, in); out.Close() }()
		go func() { _, _ = io.Copy(in, out); in.Close() }()
	}
}

func (p *proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) cut(d time.Duration) {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
	p.closeAll()
	time.Sleep(d)
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
}

// testBatcherIsolatesAFailingMessage queues 40 one-ucor sends and one send the
// signer cannot pay through a Batcher on the real chain: the 40 land in one or two
// txs, the bad one gets the bank's insufficient-funds error of its own, and its
// failure (named by the chain's "message index") costs the others nothing.
func testBatcherIsolatesAFailingMessage(t *testing.T) {
	c := dial(t, "")
	s := valSigner(t, c)
	to := freshAddress(t, "batcher")
	b := s.NewBatcher(chain.BatcherConfig{Linger: time.Second})
	defer b.Close()
	huge, ok := sdkmath.NewIntFromString("1000000000000000000000000000000")
	require.True(t, ok)
	const n = 40
	results := make(chan chain.BatchResult, n+1)
	for i := range n + 1 {
		msg := send1(s, to)
		if i == 17 {
			msg = &banktypes.MsgSend{FromAddress: s.Address(), ToAddress: to.String(), Amount: sdk.NewCoins(sdk.NewCoin("ucor", huge))}
		}
		b.Add([]sdk.Msg{msg}, func(r chain.BatchResult) { results <- r })
	}
	var failed []error
	for range n + 1 {
		select {
		case r := <-results:
			if r.Err != nil {
				failed = append(failed, r.Err)
			} else {
				require.Positive(t, r.Tx.Height)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("batcher: no outcome")
		}
	}
	require.Len(t, failed, 1)
	require.True(t, chain.Is(failed[0], sdkerrors.ErrInsufficientFunds), "its own error: %v", failed[0])
	require.EqualValues(t, n, balance(t, c, to))
	require.LessOrEqual(t, b.Stats.Txs.Load(), uint64(3), "one tx for the 40 (plus splits' simulations, which send nothing)")
	require.Equal(t, uint64(1), b.Stats.Splits.Load())
}
