package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

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

// follow polls the latest height every 100 ms and reads each new block and its
// results, until ctx ends. Blocks before the first poll are not the run's.
func (t *tracker) follow(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last int64
	lastLoad := time.Time{}
	for {
		if time.Since(lastLoad) >= time.Second {
			lastLoad = time.Now()
			if l, ok := load1(); ok {
				t.mu.Lock()
				t.maxLoad = max(t.maxLoad, l)
				t.mu.Unlock()
			}
		}
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
