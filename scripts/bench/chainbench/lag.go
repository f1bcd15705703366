package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

// runLag follows the node's new block headers over its websocket until ctx ends (an
// interrupt) or -duration passes, then prints how long after each block's votes its
// header reached the subscriber. With one validator a block's time is that of the
// votes on the block before, and CometBFT proposes the next block timeout_commit after
// those votes: what is left of timeout_commit when a block reaches a subscriber is
// the time its miners have to put their next messages into the next block.
func runLag(ctx context.Context, cfg config) error {
	c, err := rpchttp.New(cfg.rpc, "/websocket")
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return fmt.Errorf("websocket: %w", err)
	}
	defer c.Stop() //nolint:errcheck // the process ends after
	ch, err := c.Subscribe(ctx, "chainbench-lag", "tm.event='NewBlockHeader'", 1000)
	if err != nil {
		return fmt.Errorf("subscribing to new block headers: %w", err)
	}
	seen, header := map[int64]time.Time{}, map[int64]time.Time{}
	end := time.After(cfg.duration)
loop:
	for {
		select {
		case ev, open := <-ch:
			if !open { // the client stopped: report what was seen
				break loop
			}
			d, ok := ev.Data.(cmttypes.EventDataNewBlockHeader)
			if !ok {
				continue
			}
			seen[d.Header.Height] = time.Now()
			header[d.Header.Height] = d.Header.Time
		case <-ctx.Done():
			break loop
		case <-end:
			break loop
		}
	}
	fmt.Println(lagLine(blockLags(seen, header)))
	return nil
}

// blockLags is, for each block h seen whose next block's header is known, the seconds
// between the votes on h (the header time of h+1) and h reaching the subscriber.
func blockLags(seen, header map[int64]time.Time) []float64 {
	heights := make([]int64, 0, len(seen))
	for h := range seen {
		heights = append(heights, h)
	}
	slices.Sort(heights)
	var out []float64
	for _, h := range heights {
		if votes, ok := header[h+1]; ok {
			out = append(out, seen[h].Sub(votes).Seconds())
		}
	}
	return out
}

func lagLine(lags []float64) string {
	if len(lags) == 0 {
		return "    blocks after their votes: no block with its successor seen"
	}
	return fmt.Sprintf("    blocks reached a subscriber after their votes (the next block's time): p50 %.2f s, p90 %.2f s, max %.2f s over %d blocks",
		percentile(lags, 50), percentile(lags, 90), slices.Max(lags), len(lags))
}
