package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/miner"
)

// costs are the verification cost figures.
type costs struct {
	PerTask []taskCost
	Long    []longCost
}

// taskCost: on model Model, the mean honest completion and replay of its answer per task.
type taskCost struct {
	Model       string
	Tasks       int
	Gen, Replay time.Duration
	Passes      float64 // mean forward passes per replay
}

// longCost: on model Model, the replay of an answer of AnswerTokens tokens against a
// prompt pass (the prefill of a PromptTokens-token prompt and one token).
type longCost struct {
	Model                      string
	AnswerTokens, PromptTokens int
	Replay, PromptPass         time.Duration
	Passes                     int    // forward passes the replay used
	Params                     string // the answer's sampling
}

// measureTasks times, per task of the model, the honest completion and the replay of its
// answer.
func (h *harness) measureTasks(ctx context.Context, rp engine.Replayer, model string) (taskCost, error) {
	c := taskCost{Model: model}
	var gen, rep time.Duration
	passes := 0
	for _, t := range h.tasks {
		p, err := miner.EngineParams(t.Sampling, t.PromptType)
		if err != nil {
			return c, err
		}
		start := time.Now()
		comp, err := h.eng.Complete(ctx, t.Model, t.Prompt, p)
		if err != nil {
			return c, err
		}
		gen += time.Since(start)
		start = time.Now()
		r, err := rp.Replay(ctx, t.Model, t.Prompt, strings.ToValidUTF8(comp.Text, "\uFFFD"), comp.Usage.CompletionTokens, p)
		if err != nil {
			return c, err
		}
		rep += time.Since(start)
		passes += r.Passes
		c.Tasks++
	}
	if c.Tasks > 0 {
		c.Gen, c.Replay = gen/time.Duration(c.Tasks), rep/time.Duration(c.Tasks)
		c.Passes = float64(passes) / float64(c.Tasks)
	}
	return c, nil
}

// measureLong: the replay of a long answer (the longest of a few sampled ones, up to
// answer tokens) against a prompt pass over as many tokens, medians of rounds runs.
func (h *harness) measureLong(ctx context.Context, rp engine.Replayer, model string, answer, rounds int) (longCost, error) {
	lc := longCost{Model: model}
	prompt := "Tell me everything."
	var best engine.Completion
	var bestP engine.Params
	for seed := uint64(0); seed < 16 && best.Usage.CompletionTokens < answer; seed++ {
		p := engine.Params{MaxTokens: answer, Temperature: 1, TopP: 1, Seed: seed}
		if seed == 0 {
			p.Temperature = 0
		}
		c, err := h.eng.Complete(ctx, model, prompt, p)
		if err != nil {
			return lc, err
		}
		if c.Usage.CompletionTokens > best.Usage.CompletionTokens {
			best, bestP = c, p
		}
	}
	lc.AnswerTokens = best.Usage.CompletionTokens
	lc.Params = fmt.Sprintf("temperature %g, seed %d", bestP.Temperature, bestP.Seed)
	text := strings.ToValidUTF8(best.Text, "\uFFFD")
	long, err := h.promptOf(model, lc.AnswerTokens)
	if err != nil {
		return lc, err
	}
	var rs, ps []time.Duration
	for range rounds {
		start := time.Now()
		r, err := rp.Replay(ctx, model, prompt, text, best.Usage.CompletionTokens, bestP)
		if err != nil {
			return lc, err
		}
		rs = append(rs, time.Since(start))
		if !r.Exact {
			return lc, fmt.Errorf("the engine's own %d-token answer does not replay exactly: %s", lc.AnswerTokens, r.Reason)
		}
		lc.Passes = r.Passes
		start = time.Now()
		c, err := h.eng.Complete(ctx, model, long, engine.Params{MaxTokens: 1})
		if err != nil {
			return lc, err
		}
		ps = append(ps, time.Since(start))
		lc.PromptTokens = c.Usage.PromptTokens
	}
	lc.Replay, lc.PromptPass = median(rs), median(ps)
	return lc, nil
}

// promptOf is ordinary English of exactly n prompt tokens for the model (its tokenizer,
// as Complete encodes a prompt), or as close below as the tokenizer allows.
func (h *harness) promptOf(model string, n int) (string, error) {
	m, err := h.eng.M.Get(model)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := 0; len(m.EncodePrompt(b.String())) < n; i++ {
		fmt.Fprintf(&b, "%s and %s. ", subjects[i%len(subjects)], subjects[(7*i+3)%len(subjects)])
	}
	s := b.String()
	lo, hi := 0, len(s) // the longest prefix with at most n tokens
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(m.EncodePrompt(s[:mid])) <= n {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return s[:lo], nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func (c costs) String() string {
	var b strings.Builder
	if len(c.PerTask) > 0 {
		b.WriteString("Verification cost per task (the task mix above, honest answers):\n\n")
		b.WriteString("| model | tasks | generation | replay of the answer | passes per replay | replay / generation |\n|---|---:|---:|---:|---:|---:|\n")
		for _, t := range c.PerTask {
			fmt.Fprintf(&b, "| %s | %d | %.2f ms | %.2f ms | %.1f | %.2f |\n", t.Model, t.Tasks, ms(t.Gen), ms(t.Replay), t.Passes,
				float64(t.Replay)/float64(t.Gen))
		}
		b.WriteString("\n")
	}
	if len(c.Long) > 0 {
		b.WriteString("Replay of a long answer (the engine's own, so it replays exactly) against a prompt pass over as many tokens (median of the rounds):\n\n")
		b.WriteString("| model | answer | replay (passes) | prompt pass | replay / prompt pass |\n|---|---|---:|---:|---:|\n")
		for _, l := range c.Long {
			fmt.Fprintf(&b, "| %s | %d tokens, %s | %.1f ms (%d) | %d tokens: %.1f ms | %.2f |\n", l.Model, l.AnswerTokens, l.Params,
				ms(l.Replay), l.Passes, l.PromptTokens, ms(l.PromptPass), float64(l.Replay)/float64(l.PromptPass))
		}
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
