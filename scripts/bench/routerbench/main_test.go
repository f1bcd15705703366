package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentileNearestRank(t *testing.T) {
	xs := []float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10}
	require.Equal(t, 5.0, percentile(xs, 0.50))
	require.Equal(t, 10.0, percentile(xs, 0.95))
	require.Equal(t, 1.0, percentile(xs, 0.01))
	require.Equal(t, []float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10}, xs, "the input is not reordered")
	require.Equal(t, int64(3), percentile([]int64{3}, 0.95))
	require.Equal(t, int64(0), percentile([]int64(nil), 0.5))
}

func TestParseInts(t *testing.T) {
	got, err := parseInts("1, 10,50")
	require.NoError(t, err)
	require.Equal(t, []int{1, 10, 50}, got)
	for _, bad := range []string{"", "1,,2", "0", "-3", "x"} {
		_, err := parseInts(bad)
		require.Error(t, err, bad)
	}
}

// fakeChain serves CometBFT's /status at a height that the router handler moves on:
// each answer is receipted 3 blocks after the height it saw at arrival.
type fakeChain struct{ h atomic.Int64 }

func (f *fakeChain) status(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprintf(w, `{"jsonrpc":"2.0","id":-1,"result":{"sync_info":{"latest_block_height":"%d"}}}`, f.h.Load())
}

func TestRunMeasuresBlocksAndErrors(t *testing.T) {
	chain := &fakeChain{}
	chain.h.Store(100)
	rpc := httptest.NewServer(http.HandlerFunc(chain.status))
	defer rpc.Close()
	var calls atomic.Int64
	router := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"type":"invalid_request_error"}}`, http.StatusUnauthorized)
			return
		}
		n := calls.Add(1)
		if n%5 == 0 { // every fifth request fails like an overloaded network
			http.Error(w, fmt.Sprintf(`{"error":{"message":"task %d ended TASK_STATUS_FAILED"}}`, n), http.StatusServiceUnavailable)
			return
		}
		h := chain.h.Load()
		w.Header().Set("X-Cortd-Height", fmt.Sprint(h+3))
		fmt.Fprint(w, `{"choices":[{"message":{"content":"hi"}}]}`)
	}))
	defer router.Close()

	cfg := config{router: router.URL, key: "k", rpc: rpc.URL, model: "tiny", maxTokens: 4,
		reqTimeout: 5 * time.Second, levelBudget: time.Minute}
	b := newBench(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.heights.poll(ctx, rpc.URL)
	require.NoError(t, b.heights.waitFirst(ctx, 5*time.Second))

	r := b.run(ctx, 4, 20)
	require.Equal(t, 20, r.planned)
	require.Equal(t, 16, r.ok)
	require.Equal(t, 4, r.errors())
	// Errors that differ only in the task id count as one kind.
	require.Equal(t, `4× HTTP 503: {"error":{"message":"task # ended TASK_STATUS_FAILED"}}`, r.errorSummary())
	// The height does not move in this test, so every answer is exactly 3 blocks.
	require.Equal(t, int64(3), percentile(r.blockLat, 0.5))
	require.Equal(t, int64(3), percentile(r.blockLat, 0.95))
	require.Positive(t, r.throughput())

	out := table([]levelResult{r}, 4)
	require.Contains(t, out, "| 4 clients | 20 | 16 | 4 | 0 |")
	require.Contains(t, out, "errors at 4 clients: 4× HTTP 503")

	// A wrong key is an error for every request, none measured.
	b.cfg.key = "wrong"
	r = b.run(ctx, 2, 3)
	require.Equal(t, 0, r.ok)
	require.Equal(t, 3, r.errors())
	require.True(t, strings.HasPrefix(r.errorSummary(), "3× HTTP 401"), r.errorSummary())
}

func TestRunStopsAtTheLevelBudget(t *testing.T) {
	chain := &fakeChain{}
	chain.h.Store(7)
	rpc := httptest.NewServer(http.HandlerFunc(chain.status))
	defer rpc.Close()
	router := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(50 * time.Millisecond)
		w.Header().Set("X-Cortd-Height", "8")
		fmt.Fprint(w, `{}`)
	}))
	defer router.Close()
	b := newBench(config{router: router.URL, rpc: rpc.URL, model: "tiny", maxTokens: 4,
		reqTimeout: 5 * time.Second, levelBudget: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.heights.poll(ctx, rpc.URL)
	require.NoError(t, b.heights.waitFirst(ctx, 5*time.Second))
	r := b.run(ctx, 1, 1000)
	require.Less(t, r.ok, 1000, "the budget stops dispatch long before 1000 sequential 50 ms requests")
	require.Positive(t, r.ok)
	require.Zero(t, r.errors())
	require.Equal(t, int64(1), percentile(r.blockLat, 0.5))
}

// TestRunRateCountsLostRequests: the open-loop level sends rate × duration requests
// whatever the answers; an answer with a JSON error body is a clear refusal, while a
// dropped connection, a non-JSON error and an answer without a receipt are lost. The
// latency from inclusion is the receipt height minus the submission's height.
func TestRunRateCountsLostRequests(t *testing.T) {
	chain := &fakeChain{}
	chain.h.Store(50)
	rpc := httptest.NewServer(http.HandlerFunc(chain.status))
	defer rpc.Close()
	var calls atomic.Int64
	router := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		switch calls.Add(1) % 10 {
		case 1: // a clear refusal
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":{"message":"overloaded; retry after 2 s","code":"overloaded"}}`)
		case 2: // an error no client can read
			http.Error(w, "upstream went away", http.StatusBadGateway)
		case 3: // an answer without a receipt
			fmt.Fprint(w, `{}`)
		case 4: // the connection dropped
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
		default:
			w.Header().Set("X-Cortd-Height", "57")
			w.Header().Set("X-Cortd-Submitted-Height", "54")
			fmt.Fprint(w, `{}`)
		}
	}))
	defer router.Close()
	b := newBench(config{router: router.URL, rpc: rpc.URL, model: "tiny", maxTokens: 4, reqTimeout: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.heights.poll(ctx, rpc.URL)
	require.NoError(t, b.heights.waitFirst(ctx, 5*time.Second))
	start := time.Now()
	r := b.runRate(ctx, 100, 400*time.Millisecond)
	require.GreaterOrEqual(t, time.Since(start), 390*time.Millisecond, "sent at the rate, not all at once")
	require.Equal(t, 40, r.planned)
	require.Equal(t, 24, r.ok)
	require.Equal(t, 16, r.errors())
	require.Equal(t, 12, r.lost, "non-JSON error, no receipt, dropped connection: 4 each")
	require.Equal(t, int64(3), percentile(r.protoLat, 0.5))
	require.Contains(t, table([]levelResult{r}, 4), "| 100/s open loop | 40 | 24 | 16 | 12 |")
}

// TestFirstWaveIsReportedApart: a closed-loop level's clients all send their first
// request at once; the table says the latency from inclusion without them too.
func TestFirstWaveIsReportedApart(t *testing.T) {
	chain := &fakeChain{}
	chain.h.Store(10)
	rpc := httptest.NewServer(http.HandlerFunc(chain.status))
	defer rpc.Close()
	const clients = 4
	var calls atomic.Int64
	wave := make(chan struct{})
	router := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := calls.Add(1)
		proto := 2
		if n <= clients { // held until every client's first request is in: these are the first wave
			if n == clients {
				close(wave)
			}
			<-wave
			proto = 5
		}
		w.Header().Set("X-Cortd-Height", fmt.Sprint(20+proto))
		w.Header().Set("X-Cortd-Submitted-Height", "20")
		fmt.Fprint(w, `{}`)
	}))
	defer router.Close()
	b := newBench(config{router: router.URL, rpc: rpc.URL, model: "tiny", maxTokens: 4, reqTimeout: 5 * time.Second, levelBudget: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.heights.poll(ctx, rpc.URL)
	require.NoError(t, b.heights.waitFirst(ctx, 5*time.Second))
	r := b.run(ctx, clients, 40)
	require.Equal(t, 40, r.ok)
	require.Len(t, r.protoLat, 40)
	require.Len(t, r.laterLat, 36)
	require.Equal(t, int64(5), percentile(r.protoLat, 0.95), "the first wave is in the level's p95")
	out := table([]levelResult{r}, 4)
	require.Contains(t, out, "from inclusion at 4 clients without each client's first request: p50 / p95 2 / 2 blocks over 36 answers")

	// An open-loop level has no first wave: no such line.
	rate := b.runRate(ctx, 100, 100*time.Millisecond)
	require.Positive(t, len(rate.protoLat))
	require.Len(t, rate.laterLat, len(rate.protoLat), "no request is a client's first")
	require.NotContains(t, table([]levelResult{rate}, 4), "without each client's first request")
}
