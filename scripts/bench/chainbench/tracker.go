package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/grpc"

	streamtypes "github.com/cortnet/cortd/app/stream/types"
	"github.com/cortnet/cortd/sidecar/chain"
)

// blockInfo is one block committed while the benchmark ran.
type blockInfo struct {
	height int64
	time   time.Time // the block's own time
	txs    int       // all txs, not only ours
}

// tracker follows every block from the run's start, marks the benchmark's txs
// included (height, when the block was seen, result code), and samples the load
// average.
type tracker struct {
	rpc    *rpchttp.HTTP
	enc    chain.Encoding
	byHash map[string]*sent // fixed before follow starts
	height atomic.Int64     // latest height processed

	mu       sync.Mutex
	blocks   []blockInfo
	refusals map[string]int // CheckTx refusals by codespace/code and first words
	maxLoad  float64
}

func newTracker(rpc *rpchttp.HTTP, enc chain.Encoding, txs []*sent) *tracker {
	t := &tracker{rpc: rpc, enc: enc, byHash: make(map[string]*sent, len(txs)), refusals: map[string]int{}}
	for _, s := range txs {
		t.byHash[s.hash] = s
	}
	return t
}

// follow records every block from the run's start until ctx ends, from the node's
// event stream (cortd.stream.v1: each block's tx results in protobuf, encoded once
// per block) when it serves one, else by polling the RPC. Reading every block and
// its results as JSON from the RPC was 13 % of a node's CPU at a thousand bank
// sends a second: the benchmark's own cost, counted against the chain. Blocks
// before the follow starts are not the run's. The load average is sampled each
// second.
func (t *tracker) follow(ctx context.Context, conn *grpc.ClientConn) {
	go t.sampleLoad(ctx)
	if conn != nil {
		err := t.followStream(ctx, conn)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("the node's event stream failed; following blocks from the RPC", "err", err)
	}
	t.followRPC(ctx)
}

func (t *tracker) sampleLoad(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if l, ok := load1(); ok {
			t.mu.Lock()
			t.maxLoad = max(t.maxLoad, l)
			t.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// followStream reads the node's event stream (tx results without their events) and
// each block's header, for its time, from the RPC. It returns when the stream ends;
// a stream cut off after it delivered blocks is followed on from the RPC.
func (t *tracker) followStream(ctx context.Context, conn *grpc.ClientConn) error {
	st, err := streamtypes.NewStreamClient(conn).BlockEvents(ctx, &streamtypes.BlockEventsRequest{})
	if err != nil {
		return err
	}
	for {
		resp, err := st.Recv()
		if err != nil {
			return err
		}
		if resp.Subscribed {
			if t.height.Load() == 0 {
				t.height.Store(resp.Height)
			}
			continue
		}
		h := resp.Height
		hdr, err := t.rpc.Header(ctx, &h)
		if err != nil {
			return fmt.Errorf("header %d: %w", h, err)
		}
		seen := time.Now()
		for _, tx := range resp.Txs {
			s := t.byHash[strings.ToUpper(hex.EncodeToString(tx.Hash))]
			if s == nil {
				continue
			}
			s.mu.Lock()
			s.inclHeight, s.inclAt, s.code = h, seen, tx.Code
			s.mu.Unlock()
		}
		t.mu.Lock()
		t.blocks = append(t.blocks, blockInfo{height: h, time: hdr.Header.Time, txs: len(resp.Txs)})
		t.mu.Unlock()
		t.height.Store(h)
	}
}

// followRPC polls the latest height every 100 ms and reads each new block and its
// results.
func (t *tracker) followRPC(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := t.height.Load()
	for {
		st, err := t.rpc.Status(ctx)
		if err == nil {
			latest := st.SyncInfo.LatestBlockHeight
			if last == 0 {
				last = latest
			}
			for h := last + 1; h <= latest && ctx.Err() == nil; h++ {
				if err := t.record(ctx, h); err != nil {
					slog.Warn("reading a block failed; retrying", "height", h, "err", err)
					break
				}
				last = h
			}
			t.height.Store(last)
		} else if ctx.Err() == nil {
			slog.Debug("status", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (t *tracker) record(ctx context.Context, h int64) error {
	b, err := t.rpc.Block(ctx, &h)
	if err != nil {
		return err
	}
	res, err := t.rpc.BlockResults(ctx, &h)
	if err != nil {
		return err
	}
	seen := time.Now()
	for i, tx := range b.Block.Txs {
		s := t.byHash[fmt.Sprintf("%X", tx.Hash())]
		if s == nil {
			continue
		}
		s.mu.Lock()
		s.inclHeight, s.inclAt = h, seen
		if i < len(res.TxsResults) {
			s.code = res.TxsResults[i].Code
		}
		s.mu.Unlock()
	}
	t.mu.Lock()
	t.blocks = append(t.blocks, blockInfo{height: h, time: b.Block.Time, txs: len(b.Block.Txs)})
	t.mu.Unlock()
	return nil
}

func (t *tracker) waitFirst(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for t.height.Load() == 0 {
		if time.Now().After(deadline) {
			return errors.New("no block height from the RPC within 30 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// drain waits until every accepted tx is in a block, or d passes.
func (t *tracker) drain(ctx context.Context, txs []*sent, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		waiting := 0
		for _, s := range txs {
			s.mu.Lock()
			if s.outcome == "" && s.inclHeight == 0 {
				waiting++
			}
			s.mu.Unlock()
		}
		if waiting == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (t *tracker) noteRefusal(codespace string, code uint32, log string) {
	if len(log) > 60 {
		log = log[:60]
	}
	t.mu.Lock()
	t.refusals[fmt.Sprintf("%s/%d %s", codespace, code, log)]++
	t.mu.Unlock()
}

func (t *tracker) loadMax() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.maxLoad
}

func (t *tracker) blocksBetween(from, to int64) []blockInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []blockInfo
	for _, b := range t.blocks {
		if b.height > from && b.height <= to {
			out = append(out, b)
		}
	}
	return out
}
