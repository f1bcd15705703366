// Command chainbench measures what the chain itself commits: it signs txs
// offline (unordered, no sequence, from a few funded accounts of its own),
// broadcasts them to CometBFT's RPC at a target rate or flat out, follows every
// block, and prints a markdown row: txs and messages committed per second,
// inclusion latency p50/p95 in blocks and seconds, txs refused at CheckTx,
// refused by a full mempool, and accepted but never included (drops), the block
// count and the largest block, and the load average.
//
//	chainbench -mode bank   -home .localnet -rpc http://127.0.0.1:26657 -grpc 127.0.0.1:9090 -duration 20s
//	chainbench -mode submit -msgs 10 -rate 100 ...       (session task submissions, 10 per tx)
//	chainbench -mode observe -from-height 100 -to-height 160   (count what blocks carried)
//	chainbench -mode lag -duration 10m   (until interrupted: when blocks reach a subscriber)
//
// Modes: bank (1-ucor bank sends), submit (x/sessions task submissions into
// sessions it opens; on a chain whose nodes do not take them they stay queued, so
// each session takes at most -per-session), observe (no load: counts the txs and
// messages by type of a height range and the tasks validated in it, so a run of
// the router benchmark reports txs per validated request), lag (no load: how long
// after its votes each block reaches a websocket subscriber, until interrupted).
//
// scripts/bench/chain.sh starts a network of its own and runs every mode.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"time"
)

type config struct {
	mode, grpc, rpc, home, backend, from, model, label string
	rate                                               float64
	duration, drain, ttl                               time.Duration
	maxTxs, msgs, accounts, workers, perSession        int
	fromHeight, toHeight                               int64
	header                                             bool
}

func main() {
	var cfg config
	flag.StringVar(&cfg.mode, "mode", "bank", "bank, submit, observe or lag")
	flag.StringVar(&cfg.grpc, "grpc", "127.0.0.1:9090", "node gRPC address")
	flag.StringVar(&cfg.rpc, "rpc", "http://127.0.0.1:26657", "CometBFT RPC URL")
	flag.StringVar(&cfg.home, "home", ".localnet", "home whose test keyring holds -from")
	flag.StringVar(&cfg.backend, "keyring-backend", "test", "keyring backend of -home")
	flag.StringVar(&cfg.from, "from", "validator", "key that funds the benchmark's accounts")
	flag.StringVar(&cfg.model, "model", "tiny", "model of the sessions (submit)")
	flag.StringVar(&cfg.label, "label", "", "first column of the result row (default: the mode)")
	flag.Float64Var(&cfg.rate, "rate", 0, "txs per second to send (0: flat out)")
	flag.DurationVar(&cfg.duration, "duration", 20*time.Second, "how long to send (lag: the longest it follows blocks)")
	flag.DurationVar(&cfg.drain, "drain", 30*time.Second, "how long to wait for inclusion after the last send")
	flag.DurationVar(&cfg.ttl, "ttl", 0, "unordered timeout of the txs from when they are signed (default: duration + drain + 60 s)")
	flag.IntVar(&cfg.maxTxs, "max-txs", 30_000, "txs signed before the run (flat out sends at most these)")
	flag.IntVar(&cfg.msgs, "msgs", 1, "messages per tx")
	flag.IntVar(&cfg.accounts, "accounts", 4, "accounts the txs are signed by")
	flag.IntVar(&cfg.workers, "workers", 16, "concurrent broadcasts")
	flag.IntVar(&cfg.perSession, "per-session", 900, "submissions per session (the chain queues at most max_queued_per_session)")
	flag.Int64Var(&cfg.fromHeight, "from-height", 0, "observe: first height")
	flag.Int64Var(&cfg.toHeight, "to-height", 0, "observe: last height (0: latest)")
	flag.BoolVar(&cfg.header, "header", true, "print the table header before the row")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if cfg.label == "" {
		cfg.label = cfg.mode
	}
	if cfg.msgs < 1 || cfg.accounts < 1 || cfg.workers < 1 || cfg.maxTxs < 1 || cfg.rate < 0 {
		fail("-msgs, -accounts, -workers and -max-txs must be positive, -rate not negative")
	}
	if cfg.ttl == 0 {
		cfg.ttl = cfg.duration + cfg.drain + time.Minute
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch cfg.mode {
	case "bank", "submit":
		err = runLoad(ctx, cfg)
	case "observe":
		err = runObserve(ctx, cfg)
	case "lag":
		err = runLag(ctx, cfg)
	default:
		err = fmt.Errorf("unknown -mode %q (bank, submit, observe, lag)", cfg.mode)
	}
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "chainbench: "+format+"\n", args...)
	os.Exit(1)
}
