package router

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/sidecar/chain"
)

// batchedChain is the fake chain behind a real chain.Batcher, as the live router
// runs: Submit goes through the batcher, whose TxSender simulates and executes
// txs on the fake chain (atomically, a failing message named by its index).
type batchedChain struct {
	*fakeChain
	b *chain.Batcher

	smu      sync.Mutex
	signed   map[string][]sdk.Msg
	included map[string]*sdk.TxResponse
	txs      [][]sdk.Msg // every broadcast tx
}

func (c *batchedChain) Submit(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, int, error) {
	return c.b.Send(ctx, msgs...)
}

func (c *batchedChain) batchStats() *chain.BatcherStats { return &c.b.Stats }

// batchSender is batchedChain as a chain.TxSender.
type batchSender struct{ c *batchedChain }

func (s batchSender) SignUnordered(_ context.Context, ttl time.Duration, msgs []sdk.Msg) ([]byte, time.Time, error) {
	s.c.mu.Lock()
	_, err := s.c.execSubmits(msgs, false)
	s.c.mu.Unlock()
	if err != nil {
		return nil, time.Time{}, &chain.SimulationError{Err: status.Errorf(codes.Unknown, "%s with gas used: '1'", err.(*chain.TxError).Log)}
	}
	s.c.smu.Lock()
	defer s.c.smu.Unlock()
	bz := []byte(fmt.Sprint("tx", len(s.c.signed)))
	s.c.signed[chain.TxHash(bz)] = msgs
	return bz, time.Now().Add(ttl), nil
}

func (s batchSender) Broadcast(_ context.Context, bz []byte) error {
	s.c.smu.Lock()
	defer s.c.smu.Unlock()
	hash := chain.TxHash(bz)
	msgs := s.c.signed[hash]
	s.c.txs = append(s.c.txs, msgs)
	s.c.mu.Lock()
	res, err := s.c.execSubmits(msgs, true)
	s.c.submits++
	s.c.mu.Unlock()
	if err != nil {
		te := err.(*chain.TxError)
		res = &sdk.TxResponse{Codespace: te.Codespace, Code: te.Code, RawLog: te.Log}
	}
	res.TxHash, res.Height = hash, int64(len(s.c.txs))
	s.c.included[hash] = res
	return nil
}

func (s batchSender) FindTx(_ context.Context, hash string) (*sdk.TxResponse, error) {
	s.c.smu.Lock()
	defer s.c.smu.Unlock()
	return s.c.included[hash], nil
}

func (batchSender) BlockTime(context.Context) (time.Time, error) { return time.Now(), nil }

// newBatchedRouter is newFakeRouter with submissions batched (bcfg; Linger 300 ms
// unless set, so that concurrent requests share a tx).
func newBatchedRouter(t *testing.T, cfg Config, bcfg chain.BatcherConfig) (*fakeRouter, *batchedChain) {
	t.Helper()
	f := newFakeRouter(t, cfg)
	bc := &batchedChain{fakeChain: f.chain, signed: map[string][]sdk.Msg{}, included: map[string]*sdk.TxResponse{}}
	if bcfg.Linger == 0 {
		bcfg.Linger = 300 * time.Millisecond
	}
	bcfg.Poll = 5 * time.Millisecond
	bc.b = chain.NewBatcher(batchSender{bc}, bcfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(bc.b.Close)
	r, err := newRouter(f.cfg, bc, slog.New(slog.NewTextHandler(f.logs, nil)))
	require.NoError(t, err)
	r.now = f.clock.now
	f.Router, f.h = r, r.Handler()
	return f, bc
}

type reply struct {
	code  int
	text  string
	tasks []uint64
}

// callAll sends the bodies to path at once and returns the replies in order.
func callAll(t *testing.T, f *fakeRouter, path string, bodies []string) []reply {
	paths := make([]string, len(bodies))
	for i := range paths {
		paths[i] = path
	}
	return callEach(t, f, paths, bodies)
}

// callEach sends bodies[i] to paths[i], all at once, and returns the replies in order.
func callEach(t *testing.T, f *fakeRouter, paths, bodies []string) []reply {
	t.Helper()
	out := make([]reply, len(bodies))
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := f.call(t, paths[i], "sk-a", body)
			r := reply{code: rec.Code}
			var c struct {
				Choices []struct {
					Text string `json:"text"`
				} `json:"choices"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &c) == nil && len(c.Choices) == 1 {
				r.text = c.Choices[0].Text
			}
			if ids := rec.Header().Get("X-Cortd-Task-Id"); ids != "" {
				for _, s := range strings.Split(ids, ",") {
					id, err := strconv.ParseUint(s, 10, 64)
					require.NoError(t, err)
					r.tasks = append(r.tasks, id)
				}
			}
			out[i] = r
		}()
	}
	wg.Wait()
	return out
}

func completionBodies(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"model":"m","prompt":"question %d"}`, i)
	}
	return out
}

// Concurrent requests share one tx, and each gets the answer of its own task: the
// same answers an unbatched router gives.
func TestBatchedRouterAnswersWhatAnUnbatchedOneAnswers(t *testing.T) {
	bodies := completionBodies(12)
	plain := newFakeRouter(t, Config{})
	want := callAll(t, plain, "/v1/completions", bodies)
	batched, bc := newBatchedRouter(t, Config{}, chain.BatcherConfig{})
	got := callAll(t, batched, "/v1/completions", bodies)
	for i := range bodies {
		require.Equal(t, http.StatusOK, want[i].code)
		require.Equal(t, http.StatusOK, got[i].code, "request %d", i)
		require.Equal(t, fmt.Sprintf("ok question %d", i), got[i].text, "request %d got another's task", i)
		require.Equal(t, want[i].text, got[i].text)
		require.Len(t, got[i].tasks, 1)
	}
	require.Equal(t, 12, plain.chain.submits, "unbatched: one tx per request")
	require.Len(t, bc.txs, 1, "batched: the twelve submissions in one tx")
	require.Len(t, bc.txs[0], 12)
	rec := httptest.NewRecorder()
	batched.h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Contains(t, rec.Body.String(), "cortd_router_batch_txs_total 1\n")
	require.Contains(t, rec.Body.String(), "cortd_router_batch_msgs_total 12\n")
}

// A request whose task the chain refuses inside a batch gets its own error; the
// others of the tx (an embeddings request's tasks among them) are submitted and
// answered from their own tasks.
func TestBatchedRouterKeepsTheOthersWhenOneIsRefused(t *testing.T) {
	f, bc := newBatchedRouter(t, Config{}, chain.BatcherConfig{})
	bodies := completionBodies(6)
	bodies = append(bodies, `{"model":"m","prompt":"`+refusedPrompt+`"}`, embedBody(3))
	paths := make([]string, len(bodies))
	for i := range paths {
		paths[i] = "/v1/completions"
	}
	paths[7] = "/v1/embeddings"
	got := callEach(t, f, paths, bodies)
	emb := got[7:]
	for i := range 6 {
		require.Equal(t, http.StatusOK, got[i].code, "request %d", i)
		require.Equal(t, fmt.Sprintf("ok question %d", i), got[i].text)
	}
	require.Equal(t, http.StatusBadRequest, got[6].code)
	require.Equal(t, http.StatusOK, emb[0].code)
	require.Len(t, emb[0].tasks, 3)
	for i, id := range emb[0].tasks {
		require.Equal(t, fmt.Sprint("input ", i), bc.tasks[id].ResultText[len("ok "):], "input %d in order", i)
	}
	// Every task was submitted once: 6 completions and 3 inputs, in one tx.
	require.Len(t, bc.tasks, 9)
	require.Len(t, bc.submitted, 1)
	require.GreaterOrEqual(t, bc.b.Stats.Splits.Load(), uint64(1))
}

// Concurrent requests racing for the last free escrow: the submissions the escrow
// cannot cover fail inside the batch one at a time, each tops the session up and
// is submitted again. Every request is answered and the escrow adds up.
func TestBatchedRouterLosesNoRequestToAnEscrowRace(t *testing.T) {
	cfg := Config{Sessions: SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(9000)}}
	f, bc := newBatchedRouter(t, cfg, chain.BatcherConfig{})
	got := callAll(t, f, "/v1/completions", completionBodies(8))
	for i, r := range got {
		require.Equal(t, http.StatusOK, r.code, "request %d", i)
		require.Equal(t, fmt.Sprintf("ok question %d", i), r.text)
	}
	bc.mu.Lock()
	defer bc.mu.Unlock()
	require.Len(t, bc.tasks, 8)
	var deposited uint64
	for _, d := range bc.deposits {
		deposited += d
	}
	require.Equal(t, deposited, bc.free[1]+8*3000, "escrow: deposits = free + reserved")
}
