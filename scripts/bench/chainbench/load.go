package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdkmath "cosmossdk.io/math"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// sent is one tx of the run and what became of it.
type sent struct {
	bz   []byte
	hash string

	mu         sync.Mutex
	sentAt     time.Time
	sentHeight int64  // latest height known when it was sent
	outcome    string // "" (accepted), "refused", "full", "error"
	inclHeight int64
	inclAt     time.Time // when the block holding it was seen
	code       uint32
}

// rpcClient is a CometBFT RPC client whose HTTP transport keeps a connection per
// worker alive (the default keeps two).
func rpcClient(addr string, workers int) (*rpchttp.HTTP, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers + 4
	tr.MaxIdleConns = workers + 4
	return rpchttp.NewWithClient(strings.Replace(addr, "tcp://", "http://", 1), "/websocket", &http.Client{Transport: tr, Timeout: 30 * time.Second})
}

func runLoad(ctx context.Context, cfg config) error {
	c, err := chain.Dial(ctx, chain.Config{GRPC: cfg.grpc, RPC: cfg.rpc, Log: slog.Default()})
	if err != nil {
		return err
	}
	defer c.Close()
	kr, err := chain.OpenKeyring(c.Enc, cfg.backend, cfg.home, nil)
	if err != nil {
		return err
	}
	from, err := c.NewSigner(kr, cfg.from, chain.SignerConfig{})
	if err != nil {
		return err
	}
	mem := keyring.NewInMemory(c.Enc.Codec)
	accs, err := makeAccounts(ctx, c, mem, from, cfg.accounts)
	if err != nil {
		return err
	}
	n := cfg.maxTxs
	if cfg.rate > 0 {
		n = min(n, int(cfg.rate*cfg.duration.Seconds())+1)
	}
	perAccount := (n + len(accs) - 1) / len(accs)
	sink := sdk.AccAddress(make([]byte, 20)).String()
	one := sdk.NewCoins(sdk.NewCoin("ucor", sdkmath.NewInt(1)))
	var build func(i int, a *account) []sdk.Msg
	switch cfg.mode {
	case "bank":
		build = func(_ int, a *account) []sdk.Msg {
			msgs := make([]sdk.Msg, cfg.msgs)
			for k := range msgs {
				msgs[k] = &banktypes.MsgSend{FromAddress: a.addr.String(), ToAddress: sink, Amount: one}
			}
			return msgs
		}
	case "submit":
		k := (perAccount*cfg.msgs + cfg.perSession - 1) / cfg.perSession
		slog.Info("opening sessions", "per_account", k, "accounts", len(accs), "model", cfg.model)
		if err := openSessions(ctx, c, mem, accs, cfg.model, k, cfg.perSession); err != nil {
			return err
		}
		build = func(i int, a *account) []sdk.Msg {
			msgs := make([]sdk.Msg, cfg.msgs)
			for k := range msgs {
				j := (i/len(accs))*cfg.msgs + k // this account's submission number
				msgs[k] = &sessionstypes.MsgSubmitTask{Owner: a.addr.String(), SessionId: a.sessions[j/cfg.perSession],
					Prompt: fmt.Sprint("bench ", i, ".", k), PromptType: sessionstypes.PromptTypeCompletion, MaxTokens: 1,
					Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec()}
			}
			return msgs
		}
	}
	s := &signer{c: c, kr: mem, chainID: c.ChainID()}
	if err := s.measureGas(ctx, accs[0], build(0, accs[0])); err != nil {
		return err
	}
	start := time.Now()
	txs, err := s.signAll(ctx, accs, n, time.Now().Add(cfg.ttl), build)
	if err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	slog.Info("signed", "txs", n, "msgs_per_tx", cfg.msgs, "gas", s.gas, "took", time.Since(start).Round(time.Millisecond))

	rpc, err := rpcClient(cfg.rpc, cfg.workers)
	if err != nil {
		return err
	}
	tr := newTracker(rpc, c.Enc, txs)
	tctx, tcancel := context.WithCancel(ctx)
	defer tcancel()
	go tr.follow(tctx, c.Conn())
	if err := tr.waitFirst(ctx); err != nil {
		return err
	}
	load0 := loadAvg()
	h0 := tr.height.Load()
	began := time.Now()
	done := send(ctx, rpc, tr, txs, cfg)
	ended := time.Now()
	slog.Info("sent", "txs", len(done), "took", ended.Sub(began).Round(time.Millisecond))
	tr.drain(ctx, done, cfg.drain)
	tcancel()
	r := summarize(done, cfg, began, ended, tr, h0)
	r.load0, r.load1 = load0, loadAvg()
	r.loadMax = tr.loadMax()
	if cfg.header {
		fmt.Println(loadHeader)
	}
	fmt.Println(r.row())
	return nil
}

// send broadcasts txs from cfg.workers goroutines, at cfg.rate txs/s (tx i is due
// at i/rate after the start) or flat out, until they run out or cfg.duration
// passes. It returns those it handed to the node.
func send(ctx context.Context, rpc *rpchttp.HTTP, tr *tracker, txs []*sent, cfg config) []*sent {
	var next atomic.Int64
	start := time.Now()
	end := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(txs) {
					return
				}
				if cfg.rate > 0 {
					due := start.Add(time.Duration(float64(i) / cfg.rate * float64(time.Second)))
					if d := time.Until(due); d > 0 {
						time.Sleep(d)
					}
				}
				if time.Now().After(end) {
					next.Store(int64(len(txs))) // stop the others too
					return
				}
				broadcastOne(ctx, rpc, tr, txs[i])
			}
		}()
	}
	wg.Wait()
	var out []*sent
	for _, t := range txs {
		t.mu.Lock()
		if !t.sentAt.IsZero() {
			out = append(out, t)
		}
		t.mu.Unlock()
	}
	return out
}

func broadcastOne(ctx context.Context, rpc *rpchttp.HTTP, tr *tracker, t *sent) {
	t.mu.Lock()
	t.sentAt, t.sentHeight = time.Now(), tr.height.Load()
	t.mu.Unlock()
	res, err := rpc.BroadcastTxSync(ctx, cmttypes.Tx(t.bz))
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err != nil && strings.Contains(err.Error(), "mempool is full"):
		t.outcome = "full"
	case err != nil:
		if !errors.Is(err, context.Canceled) {
			slog.Debug("broadcast", "err", err)
		}
		t.outcome = "error"
	case res.Code != 0:
		t.outcome = "refused"
		tr.noteRefusal(res.Codespace, res.Code, res.Log)
	}
}
