package miner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// pollAll reads every live assignment of the node, plus the tasks with a stored
// result that are no longer listed (they ended: forget them).
func (m *Miner) pollAll(ctx context.Context) {
	live := map[uint64]bool{}
	var key []byte
	for {
		qctx, cancel := m.c.QueryCtx(ctx)
		res, err := m.c.Sessions.NodeAssignments(qctx, &sessionstypes.QueryNodeAssignmentsRequest{
			NodeId: m.cfg.NodeID, Pagination: &query.PageRequest{Key: key, Limit: 100}})
		cancel()
		if err != nil {
			m.log.Warn("polling assignments failed", "err", err)
			m.failed.Store(true)
			return
		}
		for i := range res.Tasks {
			t := res.Tasks[i]
			live[t.Id] = true
			m.dispatch(ctx, &t)
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	stored, err := m.store.Tasks()
	if err != nil {
		m.log.Warn("listing stored results failed", "err", err)
		return
	}
	var gone []uint64
	for _, id := range stored {
		if !live[id] {
			gone = append(gone, id)
		}
	}
	m.pollTasks(ctx, gone)
}

// pollTasks reads the tasks (one query per chain.MaxTasksPerQuery ids, repeats
// dropped) and acts on each; those no longer in state are forgotten.
func (m *Miner) pollTasks(ctx context.Context, ids []uint64) { m.pollTasksIn(ctx, ids, nil) }

// pollTasksIn is pollTasks with the workers it starts counted in round r.
func (m *Miner) pollTasksIn(ctx context.Context, ids []uint64, r *round) {
	if len(ids) == 0 {
		return
	}
	seen := make(map[uint64]bool, len(ids))
	uniq := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	tasks, missing, err := m.readTasks(ctx, uniq)
	if err != nil {
		m.log.Warn("reading tasks failed; the next poll retries", "tasks", len(uniq), "err", err)
		m.failed.Store(true)
	}
	for _, id := range missing {
		m.forget(id)
	}
	for i := range tasks {
		m.dispatchIn(ctx, &tasks[i], r)
	}
}

// dispatch starts a worker for the task unless one is already on it.
func (m *Miner) dispatch(ctx context.Context, t *sessionstypes.Task) { m.dispatchIn(ctx, t, nil) }

// dispatchIn is dispatch with the worker counted in round r (nil: none).
func (m *Miner) dispatchIn(ctx context.Context, t *sessionstypes.Task, r *round) {
	if t.Status.Terminal() {
		m.forget(t.Id)
		return
	}
	a := m.assignment(t)
	if a == nil {
		return
	}
	m.mu.Lock()
	if d, ok := m.done[t.Id]; ok && (d == t.Status || d == sessionstypes.TASK_STATUS_COMMIT) {
		m.mu.Unlock() // stale: this node's message for the phase is on chain
		return
	}
	if phase, ok := m.busy[t.Id]; ok {
		// A worker is on the task. News of the next phase (the commit phase opening
		// while the precommit is still being confirmed) is kept and acted on when the
		// worker is done, so it is not lost until the next full poll, nor read again:
		// the news is the task as an event or a read described it. Any other news is
		// dropped: of the phase the worker is on (a full poll finding the task it is
		// precommitting), acting on it would send that step twice; of an earlier phase
		// (a poll's read from before the commit phase), it would send a precommit the
		// chain refuses as late, and every such refusal splits a batch.
		// The news holds the round of the block that brought it open, so its reveal
		// leaves with that block's work: the commit phase's event comes with the block
		// that holds the precommit, before the worker has confirmed it there, and a
		// reveal queued outside any round waited for the batcher's send point, which
		// under load can come after the next proposal.
		if phase == sessionstypes.TASK_STATUS_PRECOMMIT && t.Status == sessionstypes.TASK_STATUS_COMMIT {
			if old := m.again[t.Id]; old != nil {
				old.release()
			}
			m.again[t.Id] = &news{task: *t, round: r, release: r.task()}
		}
		m.mu.Unlock()
		return
	}
	m.busy[t.Id] = t.Status
	m.mu.Unlock()
	task := *t
	queued := r.task()
	m.workers.Add(1)
	go func() {
		defer m.workers.Done()
		defer queued() // a step that sends nothing (or fails first) is done too
		defer func() {
			m.mu.Lock()
			delete(m.busy, task.Id)
			n := m.again[task.Id]
			delete(m.again, task.Id)
			m.mu.Unlock()
			if n != nil {
				if ctx.Err() == nil {
					m.dispatchIn(ctx, &n.task, n.round)
				}
				n.release() // after dispatchIn counted the new worker in the round
			}
		}()
		if err := m.stepQueued(ctx, &task, queued); err != nil && ctx.Err() == nil {
			m.log.Warn("task step failed; will retry on the next poll", "task", task.Id, "err", err)
			m.failed.Store(true)
		}
	}()
}

// forget drops an ended (or vanished) task's stored result and phase.
func (m *Miner) forget(id uint64) {
	if err := m.store.Delete(id); err != nil {
		m.log.Warn("forgetting an ended task failed", "task", id, "err", err)
	}
	m.mu.Lock()
	delete(m.done, id)
	m.mu.Unlock()
}

// landed records that this node's message for the task's phase is on chain.
func (m *Miner) landed(id uint64, phase sessionstypes.TaskStatus) {
	m.mu.Lock()
	m.done[id] = phase
	m.mu.Unlock()
}

// assignment is this node's latest assignment on the task.
func (m *Miner) assignment(t *sessionstypes.Task) *sessionstypes.Assignment {
	for i := len(t.Assignments) - 1; i >= 0; i-- {
		if t.Assignments[i].NodeId == m.cfg.NodeID {
			return &t.Assignments[i]
		}
	}
	return nil
}

// step moves one task forward: compute and precommit while ASSIGNED in the
// precommit phase, reveal while PRECOMMITTED in the commit phase.
func (m *Miner) step(ctx context.Context, t *sessionstypes.Task) error {
	return m.stepQueued(ctx, t, func() {})
}

// stepQueued is step calling queued once its message is with the batcher.
func (m *Miner) stepQueued(ctx context.Context, t *sessionstypes.Task, queued func()) error {
	a := m.assignment(t)
	switch {
	case t.Status == sessionstypes.TASK_STATUS_PRECOMMIT && a.Status == sessionstypes.ASSIGNMENT_STATUS_ASSIGNED:
		r, err := m.result(ctx, t)
		if err != nil {
			return err
		}
		msg := &sessionstypes.MsgPrecommit{Sender: m.addr, TaskId: t.Id, NodeId: m.cfg.NodeID, Hash: r.Hash}
		start := time.Now()
		err = m.send(ctx, queued, msg)
		switch {
		case err == nil:
			m.M.Precommits.Add(1)
			m.landed(t.Id, sessionstypes.TASK_STATUS_PRECOMMIT)
			m.log.Debug("precommitted", "task", t.Id, "hash", hex.EncodeToString(r.Hash[:8]), "took", time.Since(start).Round(time.Millisecond))
		case chain.Is(err, sessionstypes.ErrAlreadyPrecommitted):
			// An earlier send landed (e.g. before a restart).
			m.landed(t.Id, sessionstypes.TASK_STATUS_PRECOMMIT)
		case chain.Is(err, sessionstypes.ErrLate), chain.Is(err, sessionstypes.ErrWrongPhase), chain.Is(err, sessionstypes.ErrNotAssigned):
			m.log.Warn("precommit too late; the chain moved on", "task", t.Id, "err", err)
		default:
			m.M.TxFailures.Add(1)
			return fmt.Errorf("precommit: %w", err)
		}
	case t.Status == sessionstypes.TASK_STATUS_COMMIT && a.Status == sessionstypes.ASSIGNMENT_STATUS_PRECOMMITTED:
		r, ok, err := m.store.Get(t.Id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no stored result for task %d: cannot reveal what was precommitted (state dir lost?)", t.Id)
		}
		msg := &sessionstypes.MsgCommit{Sender: m.addr, TaskId: t.Id, NodeId: m.cfg.NodeID,
			ResultText: r.Text, Embedding: r.Embedding, PromptTokens: r.PromptTokens,
			CompletionTokens: r.CompletionTokens, Salt: r.Salt}
		err = m.send(ctx, queued, msg)
		switch {
		case err == nil:
			m.M.Commits.Add(1)
			m.landed(t.Id, sessionstypes.TASK_STATUS_COMMIT)
			m.log.Debug("committed", "task", t.Id, "completion_tokens", r.CompletionTokens)
		case chain.Is(err, sessionstypes.ErrAlreadyCommitted):
			m.landed(t.Id, sessionstypes.TASK_STATUS_COMMIT)
		case chain.Is(err, sessionstypes.ErrLate), chain.Is(err, sessionstypes.ErrWrongPhase):
			m.log.Warn("commit too late; the chain moved on", "task", t.Id, "err", err)
		default:
			m.M.TxFailures.Add(1)
			return fmt.Errorf("commit: %w", err)
		}
	}
	return nil
}

// result returns the stored result of the task or computes and stores one. A
// stored result is never recomputed: what is precommitted is what is revealed. A
// result speculated from the task's submission (speculate.go) is used when its
// inputs are the task's.
func (m *Miner) result(ctx context.Context, t *sessionstypes.Task) (Result, error) {
	if r, ok, err := m.store.Get(t.Id); err != nil || ok {
		return r, err
	}
	r, ok := Result{}, false
	if m.spec != nil {
		r, ok = m.spec.take(ctx, t)
	}
	if !ok {
		var err error
		if r, err = m.inferAssigned(ctx, t); err != nil {
			return Result{}, err
		}
	}
	r.TaskID, r.NodeID = t.Id, m.cfg.NodeID
	r.Salt = make([]byte, 32)
	if _, err := rand.Read(r.Salt); err != nil {
		return Result{}, err
	}
	r.Hash = sessionstypes.PrecommitHash(t.Id, m.cfg.NodeID, r.Text, r.Embedding, r.PromptTokens, r.CompletionTokens, r.Salt)
	if err := m.store.Put(r); err != nil {
		return Result{}, fmt.Errorf("storing the result: %w", err)
	}
	return r, nil
}

// inferAssigned is infer in an engine slot, ahead of speculation: the waiting count
// makes speculative runs leave the slots to assigned tasks.
func (m *Miner) inferAssigned(ctx context.Context, t *sessionstypes.Task) (Result, error) {
	// Only the engine run holds a slot: the precommit and commit that follow wait
	// about a block for inclusion, and holding the slot through that capped a miner
	// at Concurrency tasks per block (the router benchmark lost requests at 50 clients).
	m.waiting.Add(1)
	select {
	case m.sem <- struct{}{}:
		m.waiting.Add(-1)
	case <-ctx.Done():
		m.waiting.Add(-1)
		return Result{}, ctx.Err()
	}
	defer func() { <-m.sem }()
	return m.infer(ctx, t)
}

// infer runs the engine for the task (its caller holds an engine slot). It reads
// only what resultKey hashes, besides the faults a test miner is told to commit.
func (m *Miner) infer(ctx context.Context, t *sessionstypes.Task) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.EngineTimeout)
	defer cancel()
	start := time.Now()
	var r Result
	var err error
	switch {
	case m.cfg.Faulty:
		r, err = garbage(t)
	case t.PromptType == sessionstypes.PromptTypeEmbedding:
		r, err = m.computeEmbedding(ctx, t)
	default:
		r, err = m.compute(ctx, t)
	}
	if err == nil && m.cfg.FaultyEmbedding {
		r.Embedding, err = WrongEmbedding(r.Embedding, t.Id)
	}
	if err != nil {
		m.M.EngineErrors.Add(1)
		return Result{}, err
	}
	took := time.Since(start)
	m.M.observeTask(took, r.CompletionTokens)
	m.log.Debug("computed", "task", t.Id, "model", t.ModelId, "completion_tokens", r.CompletionTokens, "took", took.Round(time.Millisecond), "faulty", m.cfg.Faulty, "faulty_embedding", m.cfg.FaultyEmbedding)
	return r, nil
}

// Compute is what an honest miner commits for a completion or chat task on engine e:
// the completion, repaired to valid UTF-8, and its quantised embedding by the task's
// model. Exported so that measurements (scripts/bench/verifybench) judge exactly what
// a miner would send.
func Compute(ctx context.Context, e engine.Engine, t *sessionstypes.Task) (Result, error) {
	return (&Miner{e: e}).compute(ctx, t)
}

// compute runs the completion, then embeds the result with the session's model.
func (m *Miner) compute(ctx context.Context, t *sessionstypes.Task) (Result, error) {
	p, err := EngineParams(t.Sampling, t.PromptType)
	if err != nil {
		return Result{}, err
	}
	comp, err := m.e.Complete(ctx, t.ModelId, t.Prompt, p)
	if err != nil {
		return Result{}, fmt.Errorf("engine completion (%s): %w", t.ModelId, err)
	}
	// A tx carries the text as a protobuf string, which must be valid UTF-8 (a small
	// model can emit partial byte sequences); every honest node repairs it the same
	// way, so their hashes and embeddings still agree.
	text := strings.ToValidUTF8(comp.Text, "\uFFFD")
	emb, _, err := m.embed(ctx, t, text)
	if err != nil {
		return Result{}, err
	}
	return Result{Text: text, Embedding: emb,
		PromptTokens: uint64(comp.Usage.PromptTokens), CompletionTokens: uint64(comp.Usage.CompletionTokens)}, nil
}

// garbage is a faulty node's result: random text and a random unit vector. On an
// embedding task the text must be the input (the chain refuses anything else at
// commit), so only the vector is garbage there.
func garbage(t *sessionstypes.Task) (Result, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return Result{}, err
	}
	v := make([]float32, t.EmbeddingDim)
	rb := make([]byte, 4*len(v))
	if _, err := rand.Read(rb); err != nil {
		return Result{}, err
	}
	for i := range v {
		u := uint32(rb[4*i]) | uint32(rb[4*i+1])<<8 | uint32(rb[4*i+2])<<16 | uint32(rb[4*i+3])<<24
		v[i] = float32(float64(u)/math.MaxUint32*2 - 1)
	}
	emb, err := Quantize(v)
	if err != nil {
		return Result{}, errors.New("random embedding was zero")
	}
	if t.PromptType == sessionstypes.PromptTypeEmbedding {
		return Result{Text: t.Prompt, Embedding: emb}, nil
	}
	return Result{Text: "garbage " + hex.EncodeToString(b), Embedding: emb, CompletionTokens: 1}, nil
}
