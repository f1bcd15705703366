package main

import (
	"context"
	"errors"
	"fmt"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/miner"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// errNotApplicable: the class cannot be built for this model (no same-shaped twin of a
// -model folder); such tasks are counted apart.
var errNotApplicable = errors.New("class not applicable to this model")

// harness holds the engine every node and the auditor use (one native engine over the
// models dir: honest nodes and the auditor load the model id, cheating nodes its variants),
// the tasks and what honest nodes commit for them.
type harness struct {
	eng     *native.Engine
	sets    []modelSet
	tasks   []task
	dims    map[string]uint32
	honestC map[string]miner.Result
	cannedC map[string]miner.Result
}

func newHarness(ctx context.Context, eng *native.Engine, sets []modelSet, tasks []task) (*harness, error) {
	h := &harness{eng: eng, sets: sets, tasks: tasks, dims: map[string]uint32{},
		honestC: map[string]miner.Result{}, cannedC: map[string]miner.Result{}}
	for _, s := range sets {
		vs, _, err := eng.Embed(ctx, s.ID, []string{"dimension probe"})
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", s.ID, err)
		}
		h.dims[s.ID] = uint32(len(vs[0]))
	}
	return h, nil
}

func (h *harness) set(id string) modelSet {
	for _, s := range h.sets {
		if s.ID == id {
			return s
		}
	}
	return modelSet{ID: id}
}

// chainTask is the task as the chain holds it, its model id replaced by what the node runs.
func (h *harness) chainTask(t task, mode sessionstypes.VerificationMode, model string) *sessionstypes.Task {
	return &sessionstypes.Task{Id: uint64(t.Idx) + 1, ModelId: model, EmbeddingDim: h.dims[t.Model], Prompt: t.Prompt,
		PromptType: t.PromptType, Sampling: t.Sampling, Verification: mode}
}

// compute is miner.Compute of the task on the given model (the node's own weights).
func (h *harness) compute(ctx context.Context, t task, model string) (miner.Result, error) {
	return miner.Compute(ctx, h.eng, h.chainTask(t, sessionstypes.VERIFICATION_MODE_EMBEDDING, model))
}

// honest is what an honest node commits. The native engine is deterministic (same bits
// for any thread count, batch and run: sidecar/engine/native's determinism tests), so
// both honest nodes commit this same result and it is computed once.
func (h *harness) honest(ctx context.Context, t task) (miner.Result, error) {
	k := t.key()
	if r, ok := h.honestC[k]; ok {
		return r, nil
	}
	r, err := h.compute(ctx, t, t.Model)
	if err != nil {
		return r, err
	}
	h.honestC[k] = r
	return r, nil
}

// canned is the model's greedy answer to the unrelated prompt, computed once per model.
func (h *harness) canned(ctx context.Context, t task) (miner.Result, error) {
	if r, ok := h.cannedC[t.Model]; ok {
		return r, nil
	}
	c := t
	c.Prompt, c.PromptType = unrelatedPrompt, "completion"
	c.Sampling.Temperature, c.Sampling.TopP, c.Sampling.TopK = sdkmath.LegacyZeroDec(), sdkmath.LegacyOneDec(), 0
	r, err := h.compute(ctx, c, t.Model)
	if err == nil {
		h.cannedC[t.Model] = r
	}
	return r, err
}

// withText commits text with its honest embedding by the task's model and the honest
// token counts.
func (h *harness) withText(ctx context.Context, t task, text string, honest miner.Result) (miner.Result, error) {
	vs, _, err := h.eng.Embed(ctx, t.Model, []string{text})
	if err != nil {
		return miner.Result{}, err
	}
	e, err := miner.Quantize(vs[0])
	if err != nil {
		return miner.Result{}, err
	}
	return miner.Result{Text: text, Embedding: e, PromptTokens: honest.PromptTokens, CompletionTokens: honest.CompletionTokens}, nil
}

// neighbour is the next task on the same model (wrapping around).
func (h *harness) neighbour(t task) task {
	for d := 1; d < len(h.tasks); d++ {
		o := h.tasks[(t.Idx+d)%len(h.tasks)]
		if o.Model == t.Model && o.Prompt != t.Prompt {
			return o
		}
	}
	return t
}
