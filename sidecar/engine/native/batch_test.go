package native

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

var batchTexts = []string{
	"The quick brown fox jumps over the lazy dog.",
	"ab",
	"Determinism is what audits rely on: same bits everywhere.",
	"Batching must not move a single bit of any request's result, whatever it shares a pass with.",
	"xy z",
}

// aloneBits computes every text's embedding and loss on its own, without
// the batcher, as bit strings.
func aloneBits(t *testing.T, m *Model) (emb, loss []string) {
	ctx := context.Background()
	for _, txt := range batchTexts {
		ids := m.Tok.Encode(txt)
		e, err := m.Embed(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		l, err := m.Loss(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		emb = append(emb, embBits(e))
		loss = append(loss, fmt.Sprintf("%x/%d", math.Float64bits(l.Loss), l.Tokens))
	}
	return emb, loss
}

func embBits(e []float32) string {
	s := ""
	for _, v := range e {
		s += fmt.Sprintf("%08x", math.Float32bits(v))
	}
	return s
}

// TestBatchBitsMatchAlone: every text gives the same bits alone and when
// merged into one batch with the others (embeddings and losses mixed), at
// one thread and with every product split across threads.
func TestBatchBitsMatchAlone(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer kernels.SetParallelMin(kernels.SetParallelMin(1 << 21))
	for name := range tinySpecs {
		for _, procs := range []int{1, 4} {
			runtime.GOMAXPROCS(procs)
			kernels.SetParallelMin(1)
			m, _ := tinyModel(t, name)
			wantEmb, wantLoss := aloneBits(t, m)
			// A long window so all concurrent requests land in one batch.
			m.BatchCfg = BatchConfig{Window: 300 * time.Millisecond, MaxTokens: 4096}
			ctx := context.Background()
			var wg sync.WaitGroup
			gotEmb := make([]string, len(batchTexts))
			gotLoss := make([]string, len(batchTexts))
			errs := make(chan error, 2*len(batchTexts))
			for i, txt := range batchTexts {
				ids := m.Tok.Encode(txt)
				wg.Add(2)
				go func() {
					defer wg.Done()
					e, err := m.EmbedBatch(ctx, [][]int{ids})
					if err != nil {
						errs <- err
						return
					}
					gotEmb[i] = embBits(e[0])
				}()
				go func() {
					defer wg.Done()
					l, err := m.LossBatch(ctx, [][]int{ids})
					if err != nil {
						errs <- err
						return
					}
					gotLoss[i] = fmt.Sprintf("%x/%d", math.Float64bits(l[0].Loss), l[0].Tokens)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			b := m.batch()
			if b.widest.Load() < 2 {
				t.Fatalf("%s: requests were not batched (widest batch %d of %d batches)", name, b.widest.Load(), b.batches.Load())
			}
			t.Logf("%s procs=%d: %d batches, widest %d texts", name, procs, b.batches.Load(), b.widest.Load())
			for i := range batchTexts {
				if gotEmb[i] != wantEmb[i] {
					t.Fatalf("%s procs=%d text %d: batched embedding differs from alone", name, procs, i)
				}
				if gotLoss[i] != wantLoss[i] {
					t.Fatalf("%s procs=%d text %d: batched loss %s, alone %s", name, procs, i, gotLoss[i], wantLoss[i])
				}
			}
			// One request with many texts batches them together too.
			var ids [][]int
			for _, txt := range batchTexts {
				ids = append(ids, m.Tok.Encode(txt))
			}
			m2, _ := tinyModel(t, name)
			m2.BatchCfg = BatchConfig{Window: time.Millisecond, MaxTokens: 40}
			es, err := m2.EmbedBatch(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			ls, err := m2.LossBatch(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			for i := range ids {
				if embBits(es[i]) != wantEmb[i] || fmt.Sprintf("%x/%d", math.Float64bits(ls[i].Loss), ls[i].Tokens) != wantLoss[i] {
					t.Fatalf("%s: multi-text request, text %d differs from alone", name, i)
				}
			}
		}
	}
}

// TestBatchCancel: a request whose context ends while it waits leaves the
// queue with the context's error; the others in the batch still complete
// with their alone bits.
func TestBatchCancel(t *testing.T) {
	m, _ := tinyModel(t, "gpt2-tiny")
	wantEmb, _ := aloneBits(t, m)
	m.BatchCfg = BatchConfig{Window: 200 * time.Millisecond}
	ids := func(i int) [][]int { return [][]int{m.Tok.Encode(batchTexts[i])} }

	cctx, cancel := context.WithCancel(context.Background())
	tctx, tcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer tcancel()
	var wg sync.WaitGroup
	var cancelErr, timeoutErr error
	var cancelTook time.Duration
	got := make([]string, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := m.EmbedBatch(context.Background(), ids(i))
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = embBits(e[0])
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		start := time.Now()
		_, cancelErr = m.EmbedBatch(cctx, ids(3))
		cancelTook = time.Since(start)
	}()
	go func() {
		defer wg.Done()
		_, timeoutErr = m.LossBatch(tctx, ids(4))
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	wg.Wait()
	if !errors.Is(cancelErr, context.Canceled) {
		t.Fatalf("cancelled request: %v, want context.Canceled", cancelErr)
	}
	if cancelTook > 150*time.Millisecond {
		t.Fatalf("cancelled request returned after %v, before the batch window (200ms) was expected", cancelTook)
	}
	if !errors.Is(timeoutErr, context.DeadlineExceeded) {
		t.Fatalf("timed-out request: %v, want context.DeadlineExceeded", timeoutErr)
	}
	for i := 0; i < 3; i++ {
		if got[i] != wantEmb[i] {
			t.Fatalf("text %d: result differs from alone after others left the batch", i)
		}
	}
	b := m.batch()
	b.mu.Lock()
	left := len(b.queue)
	b.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d jobs left in the queue", left)
	}
}

// TestBatchQueueFull: beyond MaxQueue waiting texts, requests fail with
// engine.ErrOverloaded; an over-long text bypasses the queue.
func TestBatchQueueFull(t *testing.T) {
	m, _ := tinyModel(t, "gpt2-tiny")
	m.BatchCfg = BatchConfig{Window: 300 * time.Millisecond, MaxQueue: 2, MaxTokens: 8}
	one := [][]int{m.Tok.Encode("abc")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.EmbedBatch(ctx, one)
		}()
	}
	b := m.batch()
	for deadline := time.Now().Add(5 * time.Second); ; {
		b.mu.Lock()
		n := len(b.queue)
		b.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("queue never filled")
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := m.EmbedBatch(ctx, one); !errors.Is(err, engine.ErrOverloaded) {
		t.Fatalf("third request: %v, want ErrOverloaded", err)
	}
	// Longer than MaxTokens: runs directly, unaffected by the full queue.
	long := m.Tok.Encode("a text longer than eight tokens")
	got, err := m.EmbedBatch(ctx, [][]int{long})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Embed(ctx, long)
	if embBits(got[0]) != embBits(want) {
		t.Fatal("direct path differs from Embed")
	}
	cancel()
	wg.Wait()
	// Bad inputs are rejected before queueing.
	if _, err := m.LossBatch(context.Background(), [][]int{{1}}); !errors.Is(err, engine.ErrBadRequest) {
		t.Fatalf("one-token loss: %v", err)
	}
	if _, err := m.EmbedBatch(context.Background(), [][]int{make([]int, m.Cfg.MaxPos+1)}); !errors.Is(err, engine.ErrContextTooLong) {
		t.Fatalf("over-long text: %v", err)
	}
}

// TestLongSequenceSplits: a sequence longer than one attention row block
// gives the same bits in one pass, token by token and in uneven chunks, on
// one thread and with attention tasks spread over threads.
func TestLongSequenceSplits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer kernels.SetParallelMin(kernels.SetParallelMin(1 << 21))
	for name := range tinySpecs {
		m, _ := tinyModel(t, name)
		N, D := m.Cfg.MaxPos, m.Cfg.Dim
		toks := randTokens(N, m.Cfg.Vocab)
		var want []float32
		for _, procs := range []int{1, 4} {
			runtime.GOMAXPROCS(procs)
			kernels.SetParallelMin(1)
			for _, split := range [][]int{{N}, {50, N - 50}, {attRows + 1, 3, N - attRows - 4}} {
				s, err := m.NewState(N)
				if err != nil {
					t.Fatal(err)
				}
				out := make([]float32, N*D)
				at := 0
				for _, n := range split {
					if err := s.Forward(toks[at:at+n], out[at*D:(at+n)*D]); err != nil {
						t.Fatal(err)
					}
					at += n
				}
				if want == nil {
					want = out
					continue
				}
				for i := range out {
					if math.Float32bits(out[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s procs=%d split %v: element %d differs", name, procs, split, i)
					}
				}
			}
		}
		// Token by token, as generation runs.
		s, _ := m.NewState(N)
		step := make([]float32, D)
		for i, tk := range toks {
			if err := s.Forward([]int{tk}, step); err != nil {
				t.Fatal(err)
			}
			for j := range step {
				if math.Float32bits(step[j]) != math.Float32bits(want[i*D+j]) {
					t.Fatalf("%s: token %d differs between one pass and token by token", name, i)
				}
			}
		}
	}
}
