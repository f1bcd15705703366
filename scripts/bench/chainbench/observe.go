package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// census is what a height range of blocks carried.
type census struct {
	blocks, txs, msgs, failed int
	msgsByType, txsByType     map[string]int
	validated, ended          int      // tasks ended validated / ended at all
	validatedIDs              []uint64 // for the phase breakdown
}

// count adds one block: its txs (decoded), their results and the block's events.
func (c *census) count(dec sdk.TxDecoder, txs [][]byte, results []*abci.ExecTxResult, events []abci.Event) {
	c.blocks++
	var all []abci.Event
	all = append(all, events...)
	for i, bz := range txs {
		c.txs++
		if i < len(results) {
			if results[i].Code != 0 {
				c.failed++
			}
			all = append(all, results[i].Events...)
		}
		tx, err := dec(bz)
		if err != nil {
			c.msgsByType["(undecodable)"]++
			continue
		}
		seen := map[string]bool{}
		for _, m := range tx.GetMsgs() {
			u := sdk.MsgTypeURL(m)
			c.msgs++
			c.msgsByType[u]++
			if !seen[u] {
				seen[u] = true
				c.txsByType[u]++
			}
		}
	}
	for _, ev := range (chain.Block{Events: all}).Typed() {
		if e, ok := ev.(*sessionstypes.EventTaskEnded); ok {
			c.ended++
			if e.Status == sessionstypes.TASK_STATUS_VALIDATED {
				c.validated++
				c.validatedIDs = append(c.validatedIDs, e.TaskId)
			}
		}
	}
}

func (c *census) table() string {
	var b strings.Builder
	types := make([]string, 0, len(c.msgsByType))
	for t := range c.msgsByType {
		types = append(types, t)
	}
	sort.Strings(types)
	fmt.Fprintf(&b, "| message type | messages | txs carrying it | messages per tx | per validated task (msgs / txs) |\n|---|---|---|---|---|\n")
	per := func(n int) string {
		if c.validated == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", float64(n)/float64(c.validated))
	}
	for _, t := range types {
		m, n := c.msgsByType[t], c.txsByType[t]
		ratio := "-"
		if n > 0 {
			ratio = fmt.Sprintf("%.2f", float64(m)/float64(n))
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s / %s |\n", t, m, n, ratio, per(m), per(n))
	}
	fmt.Fprintf(&b, "| all | %d | %d | %s | %s / %s |\n", c.msgs, c.txs, ratioStr(c.msgs, c.txs), per(c.msgs), per(c.txs))
	fmt.Fprintf(&b, "\n%d blocks, %d txs (%d failed), %d tasks ended, %d validated\n", c.blocks, c.txs, c.failed, c.ended, c.validated)
	return b.String()
}

func ratioStr(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// runObserve counts what blocks from-height..to-height carried.
func runObserve(ctx context.Context, cfg config) error {
	enc, err := chain.NewEncoding()
	if err != nil {
		return err
	}
	rpc, err := rpcClient(cfg.rpc, 2)
	if err != nil {
		return err
	}
	to := cfg.toHeight
	if to == 0 {
		st, err := rpc.Status(ctx)
		if err != nil {
			return err
		}
		to = st.SyncInfo.LatestBlockHeight
	}
	if cfg.fromHeight <= 0 || cfg.fromHeight > to {
		return fmt.Errorf("-from-height %d: want 1..%d", cfg.fromHeight, to)
	}
	c := &census{msgsByType: map[string]int{}, txsByType: map[string]int{}}
	dec := enc.TxConfig.TxDecoder()
	for h := cfg.fromHeight; h <= to; h++ {
		b, err := rpc.Block(ctx, &h)
		if err != nil {
			return fmt.Errorf("block %d: %w", h, err)
		}
		res, err := rpc.BlockResults(ctx, &h)
		if err != nil {
			return fmt.Errorf("block results %d: %w", h, err)
		}
		txs := make([][]byte, len(b.Block.Txs))
		for i, tx := range b.Block.Txs {
			txs[i] = tx
		}
		c.count(dec, txs, res.TxsResults, res.FinalizeBlockEvents)
	}
	fmt.Printf("heights %d..%d (%s)\n\n%s", cfg.fromHeight, to, cfg.label, c.table())
	if len(c.validatedIDs) == 0 {
		return nil
	}
	cl, err := chain.Dial(ctx, chain.Config{GRPC: cfg.grpc, RPC: cfg.rpc, Log: slog.Default()})
	if err != nil {
		return err
	}
	defer cl.Close()
	p, err := readPhases(ctx, cl.Tasks, c.validatedIDs)
	if err != nil {
		return fmt.Errorf("tasks: %w", err)
	}
	fmt.Printf("\nValidated tasks by step:\n\n%s", p.table())
	return nil
}
