// Command routerbench measures the router's throughput and latency: for each
// concurrency level it sends a fixed number of chat completions from that many
// clients at once and prints a markdown table of requests per second and the
// latency percentiles, in seconds and in blocks (the receipt's X-Cortd-Height
// minus the chain height when the request was sent).
//
// It only talks HTTP (the router and CometBFT's RPC /status), so it needs no
// chain code:
//
//	go run ./scripts/bench/routerbench -router http://127.0.0.1:8080 -key sk-... \
//	    -rpc http://127.0.0.1:26657 -clients 1,10,50 -requests 20,100,200
//
// scripts/bench/router.sh starts a network of its own and runs it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	router, key, rpc, model string
	clients, requests       []int
	maxTokens               int
	reqTimeout, levelBudget time.Duration
	warmup                  int
	// rate > 0: one open-loop level instead of the client levels: requests sent at
	// rate per second for duration, whatever the answers (an overload run).
	rate       float64
	duration   time.Duration
	failOnLost bool
}

func main() {
	var cfg config
	var clients, requests string
	flag.StringVar(&cfg.router, "router", "http://127.0.0.1:8080", "router base URL")
	flag.StringVar(&cfg.key, "key", "", "API key (bearer token); empty: none")
	flag.StringVar(&cfg.rpc, "rpc", "http://127.0.0.1:26657", "CometBFT RPC URL (block heights)")
	flag.StringVar(&cfg.model, "model", "tiny", "model id")
	flag.StringVar(&clients, "clients", "1,10,50", "concurrency levels, comma separated")
	flag.StringVar(&requests, "requests", "20,100,200", "requests per level (one number for all, or one per level)")
	flag.IntVar(&cfg.maxTokens, "max-tokens", 16, "max_tokens of every request")
	flag.DurationVar(&cfg.reqTimeout, "request-timeout", 3*time.Minute, "bound on one request")
	flag.DurationVar(&cfg.levelBudget, "level-budget", 5*time.Minute, "no new requests of a level are sent after this long")
	flag.IntVar(&cfg.warmup, "warmup", 2, "requests sent (and not measured) first, so the router's session exists")
	flag.Float64Var(&cfg.rate, "rate", 0, "open loop: send this many requests per second for -duration (0: the -clients levels)")
	flag.DurationVar(&cfg.duration, "duration", time.Minute, "how long the open-loop level sends")
	flag.BoolVar(&cfg.failOnLost, "fail-on-lost", false, "exit 3 when any request is lost: no HTTP answer, an answer without a receipt, or an error without a JSON error body")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))

	var err error
	if cfg.clients, err = parseInts(clients); err != nil {
		fail("-clients: %v", err)
	}
	if cfg.requests, err = parseInts(requests); err != nil {
		fail("-requests: %v", err)
	}
	if len(cfg.requests) == 1 {
		for len(cfg.requests) < len(cfg.clients) {
			cfg.requests = append(cfg.requests, cfg.requests[0])
		}
	}
	if len(cfg.requests) != len(cfg.clients) {
		fail("-requests: want one number or %d (one per level), got %d", len(cfg.clients), len(cfg.requests))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b := newBench(cfg)
	go b.heights.poll(ctx, cfg.rpc)
	if err := b.heights.waitFirst(ctx, 30*time.Second); err != nil {
		fail("reading the chain height from %s: %v", cfg.rpc, err)
	}
	if cfg.warmup > 0 {
		slog.Info("warm-up", "requests", cfg.warmup)
		w := b.run(ctx, 1, cfg.warmup)
		if w.ok == 0 {
			fail("warm-up: no request succeeded: %s", w.errorSummary())
		}
	}
	var rows []levelResult
	if cfg.rate > 0 {
		slog.Info("open-loop level", "rate", cfg.rate, "duration", cfg.duration)
		r := b.runRate(ctx, cfg.rate, cfg.duration)
		slog.Info("level done", "ok", r.ok, "errors", r.errors(), "lost", r.lost, "req_per_s", fmt.Sprintf("%.2f", r.throughput()))
		rows = append(rows, r)
	}
	for i, c := range cfg.clients {
		if cfg.rate > 0 {
			break
		}
		slog.Info("level", "clients", c, "requests", cfg.requests[i])
		r := b.run(ctx, c, cfg.requests[i])
		slog.Info("level done", "clients", c, "ok", r.ok, "errors", r.errors(), "req_per_s", fmt.Sprintf("%.2f", r.throughput()))
		rows = append(rows, r)
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Print(table(rows, cfg.maxTokens))
	lost := 0
	for _, r := range rows {
		lost += r.lost
	}
	if cfg.failOnLost && lost > 0 {
		fmt.Fprintf(os.Stderr, "routerbench: %d request(s) lost\n", lost)
		os.Exit(3)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "routerbench: "+format+"\n", args...)
	os.Exit(1)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// heightTracker keeps the latest block height, polled from CometBFT's /status
// (a request's start height is read from here, so sending costs no extra query).
type heightTracker struct {
	h      atomic.Int64
	client *http.Client
}

func (t *heightTracker) poll(ctx context.Context, rpc string) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if h, err := t.fetch(ctx, rpc); err == nil {
			t.h.Store(h)
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

func (t *heightTracker) fetch(ctx context.Context, rpc string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(rpc, "/")+"/status", nil)
	if err != nil {
		return 0, err
	}
	res, err := t.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var st struct {
		Result struct {
			SyncInfo struct {
				LatestBlockHeight string `json:"latest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return 0, fmt.Errorf("decoding /status: %w", err)
	}
	return strconv.ParseInt(st.Result.SyncInfo.LatestBlockHeight, 10, 64)
}

func (t *heightTracker) waitFirst(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	for t.h.Load() == 0 {
		if time.Now().After(deadline) {
			return errors.New("no height within " + d.String())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

type bench struct {
	cfg     config
	client  *http.Client
	heights *heightTracker
	seq     atomic.Int64 // makes every prompt distinct
}

func newBench(cfg config) *bench {
	// Enough idle connections that 50 clients keep theirs alive between requests.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	tr.MaxIdleConns = 256
	return &bench{cfg: cfg, client: &http.Client{Transport: tr},
		heights: &heightTracker{client: &http.Client{Timeout: 5 * time.Second}}}
}

// sample is one request's outcome.
type sample struct {
	secs   float64
	blocks int64 // receipt height − the height when the request was sent
	proto  int64 // receipt height − the height that included the submission (-1: not told)
	status int   // HTTP status; 0 when no response came
	err    string
	// first: the client's first request of a closed-loop level (all clients send it
	// at once, so it meets a block of every client's submissions).
	first bool
	// lost: no HTTP answer, an answer without a valid receipt, or an error whose body
	// is not the API's JSON error (the client cannot tell what happened).
	lost bool
}

// runRate sends requests at rate per second for d (open loop: a slow answer does not
// slow the sending) and returns the level's result once every request has ended.
func (b *bench) runRate(ctx context.Context, rate float64, d time.Duration) levelResult {
	n := int(rate * d.Seconds())
	out := make(chan sample, n)
	var wg sync.WaitGroup
	startH := b.heights.h.Load()
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	sent := 0
	for ; sent < n && ctx.Err() == nil; sent++ {
		if wait := time.Until(start.Add(time.Duration(sent) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- b.one(ctx)
		}()
	}
	wg.Wait()
	close(out)
	r := levelResult{label: fmt.Sprintf("%.0f/s open loop", rate), planned: sent, wall: time.Since(start).Seconds(), blocks: b.heights.h.Load() - startH}
	for s := range out {
		r.add(s)
	}
	return r
}

// run sends n requests from c concurrent clients and returns the level's result.
func (b *bench) run(ctx context.Context, c, n int) levelResult {
	jobs := make(chan struct{})
	out := make(chan sample, n)
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for range jobs {
				smp := b.one(ctx)
				smp.first, first = first, false
				out <- smp
			}
		}()
	}
	startH := b.heights.h.Load()
	start := time.Now()
	budget := time.NewTimer(b.cfg.levelBudget)
	sent := 0
dispatch:
	for ; sent < n; sent++ {
		select {
		case jobs <- struct{}{}:
		case <-budget.C:
			slog.Warn("level budget spent; not sending the rest", "sent", sent, "of", n)
			break dispatch
		case <-ctx.Done():
			break dispatch
		}
	}
	budget.Stop()
	close(jobs)
	wg.Wait()
	close(out)
	r := levelResult{label: fmt.Sprintf("%d clients", c), planned: n, wall: time.Since(start).Seconds(), blocks: b.heights.h.Load() - startH}
	for s := range out {
		r.add(s)
	}
	return r
}

// one sends a chat completion and measures it against the receipt's height.
func (b *bench) one(ctx context.Context) sample {
	i := b.seq.Add(1)
	body, _ := json.Marshal(map[string]any{
		"model": b.cfg.model, "max_tokens": b.cfg.maxTokens, "temperature": 0,
		"messages": []map[string]string{{"role": "user", "content": fmt.Sprintf("Benchmark request %d: say something.", i)}},
	})
	ctx, cancel := context.WithTimeout(ctx, b.cfg.reqTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(b.cfg.router, "/")+"/v1/chat/completions", strings.NewReader(string(body)))
	if err != nil {
		return sample{err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	if b.cfg.key != "" {
		req.Header.Set("Authorization", "Bearer "+b.cfg.key)
	}
	h0 := b.heights.h.Load()
	t0 := time.Now()
	res, err := b.client.Do(req)
	if err != nil {
		return sample{err: err.Error(), lost: true}
	}
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	s := sample{secs: time.Since(t0).Seconds(), status: res.StatusCode, proto: -1}
	if res.StatusCode != http.StatusOK {
		s.err = fmt.Sprintf("HTTP %d: %s", res.StatusCode, numbersHidden(strings.TrimSpace(string(msg))))
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		s.lost = json.Unmarshal(msg, &e) != nil || e.Error.Message == ""
		return s
	}
	rh, err := strconv.ParseInt(res.Header.Get("X-Cortd-Height"), 10, 64)
	if err != nil {
		s.status, s.err, s.lost = 0, "answer without a valid X-Cortd-Height receipt header", true
		return s
	}
	s.blocks = rh - h0
	if sh, err := strconv.ParseInt(res.Header.Get("X-Cortd-Submitted-Height"), 10, 64); err == nil && sh > 0 {
		s.proto = rh - sh
	}
	return s
}

// numbersHidden replaces each run of digits with '#', so that errors differing only
// in a task id or height are counted together.
func numbersHidden(s string) string {
	var b strings.Builder
	prevDigit := false
	for _, r := range s {
		d := r >= '0' && r <= '9'
		switch {
		case d && !prevDigit:
			b.WriteByte('#')
		case !d:
			b.WriteRune(r)
		}
		prevDigit = d
	}
	return b.String()
}
