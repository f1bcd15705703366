package main

import (
	"context"
	"fmt"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/sidecar/miner"
)

// class is one kind of third node on a task (the other two are honest).
type class struct {
	Name string
	What string
	// prepare adapts the task the class is measured on (nil: the task as made).
	prepare func(task) task
	// commit is what the node sends; honest is what an honest node sends for the task.
	commit func(ctx context.Context, h *harness, t task, honest miner.Result) (miner.Result, error)
}

// unrelatedPrompt is what the prompt-ignoring and canned-answer nodes answer instead.
const unrelatedPrompt = "The weather report for tomorrow:"

// classes are the attacks measured, honest first. Text a node did not get from the model
// with the task's prompt and params is committed with an honest embedding of that text and
// the honest token count (the strongest version of each cheat: a wrong embedding or count
// is caught by the embedding check or, in exact mode, by validation, whatever the text).
func classes() []class {
	return []class{
		{Name: "honest", What: "all three nodes honest",
			commit: func(_ context.Context, _ *harness, _ task, honest miner.Result) (miner.Result, error) {
				return honest, nil
			}},
		{Name: "random-text", What: "printable noise as long as the honest answer",
			commit: func(ctx context.Context, h *harness, t task, honest miner.Result) (miner.Result, error) {
				return h.withText(ctx, t, randomText(max(len(honest.Text), 1), uint64(t.Idx)+1), honest)
			}},
		{Name: "fluent-unrelated", What: "one canned answer (the model's greedy answer to another prompt) for every task",
			commit: func(ctx context.Context, h *harness, t task, honest miner.Result) (miner.Result, error) {
				c, err := h.canned(ctx, t)
				if err != nil {
					return miner.Result{}, err
				}
				return h.withText(ctx, t, c.Text, honest)
			}},
		{Name: "copied", What: "the honest answer of another task (same model)",
			commit: func(ctx context.Context, h *harness, t task, _ miner.Result) (miner.Result, error) {
				return h.honest(ctx, h.neighbour(t))
			}},
		{Name: "truncated", What: "the honest answer cut to half its tokens (generation stopped early)",
			commit: func(ctx context.Context, h *harness, t task, honest miner.Result) (miner.Result, error) {
				t.Sampling.MaxTokens = uint32(max(honest.CompletionTokens/2, 1))
				return h.compute(ctx, t, t.Model)
			}},
		{Name: "other-weights", What: "a model of the same shape with other weights (another init seed)",
			commit: func(ctx context.Context, h *harness, t task, _ miner.Result) (miner.Result, error) {
				if !h.set(t.Model).HasOther {
					return miner.Result{}, errNotApplicable
				}
				return h.compute(ctx, t, otherID(t.Model))
			}},
		{Name: "q8_0-weights", What: "the right model's q8_0 weights (GGUF from the `model quantize` converter)",
			commit: func(ctx context.Context, h *harness, t task, _ miner.Result) (miner.Result, error) {
				return h.compute(ctx, t, q8ID(t.Model))
			}},
		{Name: "bf16-weights", What: "the right model's bf16 weights (GGUF from the `model quantize` converter)",
			commit: func(ctx context.Context, h *harness, t task, _ miner.Result) (miner.Result, error) {
				return h.compute(ctx, t, bf16ID(t.Model))
			}},
		{Name: "wrong-temperature", What: "greedy tasks sampled at 0.7; sampled ones at 1.7 − T (0.7↔1, 0.8↔0.9)",
			commit: func(ctx context.Context, h *harness, t task, _ miner.Result) (miner.Result, error) {
				if t.greedy() {
					t.Sampling.Temperature = sdkmath.LegacyMustNewDecFromStr("0.7")
				} else {
					t.Sampling.Temperature = sdkmath.LegacyMustNewDecFromStr("1.7").Sub(t.Sampling.Temperature)
				}
				return h.compute(ctx, t, t.Model)
			}},
		{Name: "wrong-seed", What: "seed + 1 (every task of this class sampled: greedy answers do not depend on the seed)",
			prepare: sampled,
			commit: func(ctx context.Context, h *harness, t task, _ miner.Result) (miner.Result, error) {
				t.Sampling.Seed++
				return h.compute(ctx, t, t.Model)
			}},
		{Name: "prompt-ignored", What: fmt.Sprintf("generated with the task's params from %q", unrelatedPrompt),
			commit: func(ctx context.Context, h *harness, t task, _ miner.Result) (miner.Result, error) {
				t.Prompt = unrelatedPrompt
				if t.PromptType != "" && t.PromptType != "completion" {
					t.Prompt = chatPrompt(unrelatedPrompt)
				}
				return h.compute(ctx, t, t.Model)
			}},
	}
}
