package native

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
)

// BatchConfig controls how concurrent Embed and Loss requests for one model
// are merged into batched forward passes. Batching changes no bit of any
// result: a sequence's rows are computed exactly as they are alone, only
// the number of rows each weight product runs over grows.
type BatchConfig struct {
	// Window is how long the first waiting request waits for others before
	// its batch starts (0: DefaultBatchWindow; negative: no batching, every
	// request runs on its own).
	Window time.Duration
	// MaxTokens is the most tokens one batched forward holds (0:
	// DefaultBatchTokens). A text longer than that (or than the 1,024-row
	// forward chunk) runs on its own.
	MaxTokens int
	// MaxQueue is the most texts waiting for a batch (0: DefaultBatchQueue);
	// beyond it requests fail with engine.ErrOverloaded.
	MaxQueue int
}

// Batching defaults.
const (
	DefaultBatchWindow = 2 * time.Millisecond
	DefaultBatchTokens = 2048
	DefaultBatchQueue  = 256
)

func (c BatchConfig) withDefaults() BatchConfig {
	if c.Window == 0 {
		c.Window = DefaultBatchWindow
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = DefaultBatchTokens
	}
	if c.MaxQueue <= 0 {
		c.MaxQueue = DefaultBatchQueue
	}
	return c
}

type jobKind int

const (
	jobEmbed jobKind = iota
	jobLoss
)

// job is one text waiting for (or in) a batch.
type job struct {
	ctx    context.Context
	kind   jobKind
	tokens []int
	at     time.Time
	done   chan struct{}
	queued bool // guarded by batcher.mu: still in the queue

	emb []float32
	lps []float64
	err error
}

// batcher queues one model's requests and runs them in batches on one
// worker goroutine, which exists only while there is work.
type batcher struct {
	m   *Model
	cfg BatchConfig

	mu      sync.Mutex
	queue   []*job
	running bool
	kick    chan struct{}

	sc *scratch // the worker's rows; only the worker touches it

	// Counters for tests and diagnostics: batches run, and the most texts
	// one batch held.
	batches, widest atomic.Int64
}

func newBatcher(m *Model, cfg BatchConfig) *batcher {
	return &batcher{m: m, cfg: cfg.withDefaults(), kick: make(chan struct{}, 1)}
}

// batch returns the model's batcher, created with the model's config.
func (m *Model) batch() *batcher {
	m.batchOnce.Do(func() { m.batcher = newBatcher(m, m.BatchCfg) })
	return m.batcher
}

// EmbedBatch is Embed for several texts, each merged into batches with
// whatever else is waiting for the model. Results equal Embed's bit for bit.
func (m *Model) EmbedBatch(ctx context.Context, texts [][]int) ([][]float32, error) {
	for i, t := range texts {
		if len(t) == 0 {
			return nil, fmt.Errorf("%w: text %d is empty", engine.ErrBadRequest, i)
		}
	}
	jobs, err := m.batch().run(ctx, jobEmbed, texts)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(jobs))
	for i, j := range jobs {
		out[i] = j.emb
	}
	return out, nil
}

// LossBatch is Loss for several texts, batched like EmbedBatch.
func (m *Model) LossBatch(ctx context.Context, texts [][]int) ([]engine.LossResult, error) {
	for i, t := range texts {
		if len(t) < 2 {
			return nil, fmt.Errorf("%w: text %d: loss needs at least 2 tokens, got %d", engine.ErrBadRequest, i, len(t))
		}
	}
	jobs, err := m.batch().run(ctx, jobLoss, texts)
	if err != nil {
		return nil, err
	}
	out := make([]engine.LossResult, len(jobs))
	for i, j := range jobs {
		var sum float64
		for _, lp := range j.lps {
			sum -= lp
		}
		out[i] = engine.LossResult{Loss: sum / float64(len(j.lps)), Tokens: len(j.lps)}
	}
	return out, nil
}

// run computes every text, queueing at most MaxQueue at a time, and returns
// the finished jobs in order.
func (b *batcher) run(ctx context.Context, kind jobKind, texts [][]int) ([]*job, error) {
	for i, t := range texts {
		if len(t) > b.m.Cfg.MaxPos {
			return nil, fmt.Errorf("%w: text %d: %d tokens, context %d", engine.ErrContextTooLong, i, len(t), b.m.Cfg.MaxPos)
		}
	}
	jobs := make([]*job, len(texts))
	for i, t := range texts {
		jobs[i] = &job{ctx: ctx, kind: kind, tokens: t, done: make(chan struct{})}
	}
	for lo := 0; lo < len(jobs); lo += b.cfg.MaxQueue {
		group := jobs[lo:min(lo+b.cfg.MaxQueue, len(jobs))]
		if err := b.submit(ctx, group); err != nil {
			return nil, err
		}
		for i, j := range group {
			if j.err != nil {
				return nil, fmt.Errorf("text %d: %w", lo+i, j.err)
			}
		}
	}
	return jobs, nil
}

// submit queues the jobs (texts longer than MaxTokens, or every text when
// batching is off, run directly) and waits until all are done or ctx ends;
// a job that has not started when ctx ends leaves the queue.
func (b *batcher) submit(ctx context.Context, jobs []*job) error {
	var queued []*job
	for _, j := range jobs {
		if b.cfg.Window < 0 || len(j.tokens) > min(b.cfg.MaxTokens, maxChunk) {
			b.direct(j)
			if j.err != nil {
				return j.err
			}
			continue
		}
		queued = append(queued, j)
	}
	if len(queued) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	if len(b.queue)+len(queued) > b.cfg.MaxQueue {
		n := len(b.queue)
		b.mu.Unlock()
		return fmt.Errorf("%w: %d texts waiting for model %q, queue holds %d", engine.ErrOverloaded, n, b.m.Name, b.cfg.MaxQueue)
	}
	now := time.Now()
	for _, j := range queued {
		j.at, j.queued = now, true
		b.queue = append(b.queue, j)
	}
	if !b.running {
		b.running = true
		go b.loop()
	}
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
	for _, j := range queued {
		select {
		case <-j.done:
		case <-ctx.Done():
			b.leave(queued)
			return ctx.Err()
		}
	}
	return nil
}

// leave takes the jobs still queued out of the queue; jobs already in a
// running batch finish there and their results are dropped.
func (b *batcher) leave(jobs []*job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	drop := map[*job]bool{}
	for _, j := range jobs {
		if j.queued {
			drop[j] = true
			j.queued = false
		}
	}
	if len(drop) == 0 {
		return
	}
	kept := b.queue[:0]
	for _, j := range b.queue {
		if !drop[j] {
			kept = append(kept, j)
		}
	}
	clear(b.queue[len(kept):])
	b.queue = kept
}

// direct computes one job on the calling goroutine.
func (b *batcher) direct(j *job) {
	switch j.kind {
	case jobEmbed:
		j.emb, j.err = b.m.Embed(j.ctx, j.tokens)
	case jobLoss:
		j.lps, j.err = b.m.TokenLogprobs(j.ctx, j.tokens)
	}
}

// loop is the worker: it waits until the oldest job has waited Window (or
// enough tokens are waiting to fill a batch), takes jobs in arrival order up
// to MaxTokens and runs them; it exits when the queue is empty.
func (b *batcher) loop() {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		tokens := 0
		for _, j := range b.queue {
			tokens += len(j.tokens)
		}
		if wait := b.cfg.Window - time.Since(b.queue[0].at); wait > 0 && tokens < b.cfg.MaxTokens {
			b.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-b.kick:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		var batch []*job
		total, n := 0, 0
		for _, j := range b.queue {
			if total+len(j.tokens) > b.cfg.MaxTokens {
				break
			}
			total += len(j.tokens)
			j.queued = false
			batch = append(batch, j)
			n++
		}
		rest := copy(b.queue, b.queue[n:])
		clear(b.queue[rest:])
		b.queue = b.queue[:rest]
		b.mu.Unlock()
		b.runBatch(batch)
	}
}

// runBatch runs the jobs as one forward pass and delivers their results.
func (b *batcher) runBatch(batch []*job) {
	m := b.m
	D := m.Cfg.Dim
	defer func() {
		for _, j := range batch {
			close(j.done)
		}
	}()
	var live []*job
	for _, j := range batch {
		if j.err = j.ctx.Err(); j.err == nil {
			live = append(live, j)
		}
	}
	if len(live) == 0 {
		return
	}
	seqs := make([]seqChunk, len(live))
	rows := 0
	for i, j := range live {
		s, err := m.getState(len(j.tokens))
		if err != nil {
			j.err = err
			continue
		}
		seqs[i] = seqChunk{s: s, tokens: j.tokens, out: make([]float32, len(j.tokens)*D)}
		rows += len(j.tokens)
	}
	// Drop jobs whose state failed (they already carry the error).
	kept := seqs[:0]
	var keptJobs []*job
	for i, q := range seqs {
		if q.s != nil {
			kept = append(kept, q)
			keptJobs = append(keptJobs, live[i])
		}
	}
	seqs, live = kept, keptJobs
	if len(seqs) == 0 {
		return
	}
	if b.sc == nil || b.sc.rows < rows {
		b.sc = newScratch(m.Cfg, max(rows, min(b.cfg.MaxTokens, 256)))
	}
	m.forwardSeqs(b.sc, seqs)
	b.batches.Add(1)
	if n := int64(len(seqs)); n > b.widest.Load() {
		b.widest.Store(n)
	}
	for _, q := range seqs {
		m.putState(q.s)
	}
	// Loss rows of every loss job share the LM-head products.
	var hidden []float32
	var targets []int
	for i, j := range live {
		switch j.kind {
		case jobEmbed:
			j.emb = m.pool1(seqs[i].out, len(j.tokens))
		case jobLoss:
			n := len(j.tokens) - 1
			hidden = append(hidden, seqs[i].out[:n*D]...)
			targets = append(targets, j.tokens[1:]...)
		}
	}
	if len(targets) == 0 {
		return
	}
	lps := make([]float64, len(targets))
	if err := m.logprobRows(context.Background(), hidden, targets, lps); err != nil {
		for _, j := range live {
			if j.kind == jobLoss {
				j.err = err
			}
		}
		return
	}
	off := 0
	for _, j := range live {
		if j.kind == jobLoss {
			n := len(j.tokens) - 1
			j.lps = lps[off : off+n : off+n]
			off += n
		}
	}
}
