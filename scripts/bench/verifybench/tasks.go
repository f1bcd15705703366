package main

import (
	"fmt"
	"math/rand/v2"
	"strings"

	sdkmath "cosmossdk.io/math"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Words for prompts: ordinary English, so prompts look like what users send.
var (
	subjects = []string{"the river", "a small robot", "the old library", "my neighbour's cat", "the night train",
		"a lighthouse keeper", "the city market", "an empty stadium", "the first snow", "a forgotten letter",
		"the mountain road", "a cup of tea", "the violin teacher", "a paper boat", "the harbour at dawn"}
	asks = []string{"Write a short story about %s.", "Describe %s in three sentences.", "What would %s say if it could talk?",
		"Explain to a child why %s matters.", "Once upon a time, %s", "List three facts about %s.",
		"Write a poem about %s.", "Summarise a day in the life of %s."}
	temps = []string{"0.7", "0.8", "0.9", "1"}
	topPs = []string{"1", "0.95", "0.9"}
	topKs = []uint32{0, 40, 20}
)

// task is one task of the run: the same list for every class of a mode, so the honest
// nodes' results are computed once per task.
type task struct {
	Idx        int
	Model      string
	Prompt     string
	PromptType string
	Sampling   sessionstypes.SamplingParams
}

// greedy reports temperature 0.
func (t task) greedy() bool { return t.Sampling.Temperature.IsZero() }

// key identifies what an honest node computes for the task.
func (t task) key() string {
	s := t.Sampling
	return fmt.Sprintf("%s|%s|%q|%d|%s|%s|%d|%d", t.Model, t.PromptType, t.Prompt, s.MaxTokens, s.Temperature, s.TopP, s.TopK, s.Seed)
}

// chatPrompt renders a one-turn chat the way a template does (the demo's byte-level models
// ship no template; the point is the prompt type's tokenisation: no BOS added).
func chatPrompt(q string) string { return "<|user|>\n" + q + "\n<|assistant|>\n" }

// makeTasks returns n tasks over the models, deterministic in seed: one in four greedy,
// the rest sampled at temperature 0.7–1 with top_p and top_k variants and a per-task seed
// (the seed the chain fixes in exact mode, the one the user sends otherwise); one in four
// a chat task.
func makeTasks(n int, modelIDs []string, maxTokens uint32, seed uint64) []task {
	r := rand.New(rand.NewPCG(seed, 0x7665726966792d31))
	ts := make([]task, n)
	for i := range ts {
		q := fmt.Sprintf(asks[r.IntN(len(asks))], subjects[r.IntN(len(subjects))])
		t := task{Idx: i, Model: modelIDs[i%len(modelIDs)], Prompt: q, PromptType: sessionstypes.PromptTypeCompletion}
		if i%4 == 1 {
			t.PromptType, t.Prompt = sessionstypes.PromptTypeChat, chatPrompt(q)
		}
		s := sessionstypes.SamplingParams{MaxTokens: maxTokens, Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec(),
			Seed: r.Uint64()}
		if i%4 != 0 {
			s.Temperature = sdkmath.LegacyMustNewDecFromStr(temps[r.IntN(len(temps))])
			s.TopP = sdkmath.LegacyMustNewDecFromStr(topPs[r.IntN(len(topPs))])
			s.TopK = topKs[r.IntN(len(topKs))]
		}
		t.Sampling = s
		ts[i] = t
	}
	return ts
}

// sampled is the task at temperature 0.8 when it was greedy: the wrong-seed class needs
// sampling (a greedy answer does not depend on the seed, so it would be no cheat at all).
func sampled(t task) task {
	if t.greedy() {
		t.Sampling.Temperature = sdkmath.LegacyMustNewDecFromStr("0.8")
	}
	return t
}

// randomText is printable noise of n bytes (words of letters), deterministic in seed.
func randomText(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 0x72616e646f6d2d74))
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 && r.IntN(6) == 0 {
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(byte('a' + r.IntN(26)))
	}
	return b.String()
}
