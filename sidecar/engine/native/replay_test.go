package native

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/models"
)

// replaySpecs are models with real BPE vocabularies (small, in the
// families' published formats), where a generation can segment its text
// differently from the tokenizer: byte-level BPE (Llama 3) and
// SentencePiece with a dummy-prefix normalizer (Llama 2).
var replaySpecs = map[string]models.Spec{
	"llama3-bpe": {Arch: "llama3", Layers: 2, Dim: 64, Heads: 4, KVHeads: 2, Vocab: "family", Context: 256, Seed: 31},
	"llama2-sp":  {Arch: "llama", Layers: 2, Dim: 64, Heads: 4, KVHeads: 2, Vocab: "family", Context: 256, Seed: 32},
}

var (
	replayMu     sync.Mutex
	replayModels = map[string]*Model{}
)

// replayModel loads (once per test binary) a tiny model, a replaySpecs
// model, or "<arch>-<mix>": the family's quantSpec model quantized with a
// GGUF mix (q8_0, q4_0, q4_k_m).
func replayModel(t *testing.T, name string) *Model {
	t.Helper()
	replayMu.Lock()
	defer replayMu.Unlock()
	if m, ok := replayModels[name]; ok {
		return m
	}
	var m *Model
	switch {
	case strings.Contains(name, "-q"):
		arch, mix, _ := strings.Cut(name, "-")
		dir := initFamily(t, quantSpec(arch))
		file, _ := ggufFolder(t, dir, mix)
		m = mustLoad(t, file)
	case replaySpecs[name].Arch != "":
		dir := filepath.Join(t.TempDir(), name)
		if _, err := models.Init(replaySpecs[name], dir); err != nil {
			t.Fatal(err)
		}
		m = mustLoad(t, dir)
	default:
		m, _ = tinyModel(t, name)
	}
	replayModels[name] = m
	return m
}

// lengthRun returns p with the first seed from p.Seed on whose completion
// runs to max_tokens or the context (random models draw EOS at times).
func lengthRun(t *testing.T, m *Model, prompt string, p engine.Params) engine.Params {
	t.Helper()
	for range 50 {
		if generate(t, m, prompt, p).FinishReason == "length" {
			return p
		}
		p.Seed++
	}
	t.Fatal("every seed drew EOS")
	return p
}

// committed is what a miner commits for a completion: the text repaired to
// valid UTF-8 and the completion tokens.
func committed(c engine.Completion) (string, int) {
	return strings.ToValidUTF8(c.Text, "\uFFFD"), c.Usage.CompletionTokens
}

func replayOf(t *testing.T, m *Model, prompt, answer string, claim int, p engine.Params) engine.Replay {
	t.Helper()
	r, err := m.Replay(context.Background(), m.encodePrompt(prompt, p.RenderedPrompt), answer, claim, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func generate(t *testing.T, m *Model, prompt string, p engine.Params) engine.Completion {
	t.Helper()
	c, err := m.Generate(context.Background(), prompt, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantExact(t *testing.T, what string, r engine.Replay, tokens int) {
	t.Helper()
	if !r.Exact || !r.EndOK || r.FirstDiff != -1 || r.Score != 1 || r.Plausible != r.Tokens || r.Reason != "" || r.Tokens != tokens {
		t.Fatalf("%s: honest answer not accepted: %+v (want %d tokens)", what, r, tokens)
	}
	if (tokens > 0 && r.MeanLogprob >= 0) || math.IsNaN(r.MeanLogprob) {
		t.Fatalf("%s: mean log-probability %v", what, r.MeanLogprob)
	}
}

var replayParams = []engine.Params{
	{MaxTokens: 40},
	{MaxTokens: 40, Temperature: 0.8, Seed: 1},
	{MaxTokens: 40, Temperature: 1.3, Seed: 2},
	{MaxTokens: 40, Temperature: 0.7, Seed: 3, TopK: 5},
	{MaxTokens: 40, Temperature: 0.9, Seed: 4, TopP: 0.8},
	{MaxTokens: 40, Temperature: 1.1, Seed: 5, TopK: 40, TopP: 0.9},
}

// TestReplayAcceptsOwnAnswers: the engine's own completions, committed as
// miners commit them, replay exactly (every token, the end, score 1),
// greedy and sampled with several seeds, top_k and top_p, on GPT-2 and
// Llama maths, byte-level and BPE vocabularies, and q8_0 weights.
func TestReplayAcceptsOwnAnswers(t *testing.T) {
	for _, name := range []string{"gpt2-tiny", "llama-tiny", "llama3-bpe", "llama2-sp", "gpt2-q8_0", "llama3-q8_0"} {
		m := replayModel(t, name)
		for i, p := range replayParams {
			for _, prompt := range []string{"Once upon a time", "The network checks every answer."} {
				c := generate(t, m, prompt, p)
				answer, claim := committed(c)
				r := replayOf(t, m, prompt, answer, claim, p)
				wantExact(t, fmt.Sprintf("%s params %d prompt %q", name, i, prompt), r, claim-boolInt(c.FinishReason == "stop"))
			}
		}
	}
}

// TestReplayAcrossKernelPaths: an answer generated on one kernel path
// (say a miner's AVX2 machine) replays exactly on every other.
func TestReplayAcrossKernelPaths(t *testing.T) {
	defer kernels.Use(kernels.Current())
	paths := kernels.Available()
	for _, name := range []string{"llama-tiny", "gpt2-q8_0"} {
		m := replayModel(t, name)
		p := lengthRun(t, m, "Across machines", engine.Params{MaxTokens: 40, Temperature: 0.9, Seed: 21, TopK: 50})
		for _, gen := range paths {
			kernels.Use(gen)
			c := generate(t, m, "Across machines", p)
			answer, claim := committed(c)
			for _, rep := range paths {
				kernels.Use(rep)
				r := replayOf(t, m, "Across machines", answer, claim, p)
				wantExact(t, fmt.Sprintf("%s generated on %s, replayed on %s", name, gen, rep), r, claim-boolInt(c.FinishReason == "stop"))
			}
		}
	}
}

// TestReplayEnds: an answer ended by EOS (claimed tokens = Tokens+1) and
// one cut by the context (more max_tokens than positions) replay exactly;
// the wrong claims for them are refused.
func TestReplayEnds(t *testing.T) {
	m, dir := tinyModel(t, "llama-tiny")
	ids := greedyIDs(t, m, "Once upon a time", 12)
	stopAt := 5
	for slices.Index(ids, ids[stopAt]) != stopAt {
		stopAt--
	}
	writeJSON(t, dir, "generation_config.json", `{"eos_token_id": `+strconv.Itoa(ids[stopAt])+`}`)
	m2 := mustLoad(t, dir)
	p := engine.Params{MaxTokens: 12}
	c := generate(t, m2, "Once upon a time", p)
	if c.FinishReason != "stop" || c.Usage.CompletionTokens != stopAt+1 {
		t.Fatalf("setup: %+v", c)
	}
	answer, claim := committed(c)
	wantExact(t, "EOS end", replayOf(t, m2, "Once upon a time", answer, claim, p), stopAt)
	for _, bad := range []int{claim - 1, claim + 1, 0} {
		r := replayOf(t, m2, "Once upon a time", answer, bad, p)
		if r.Exact || r.EndOK || r.Reason == "" {
			t.Fatalf("EOS end claimed as %d tokens accepted: %+v", bad, r)
		}
	}
	// The same text with no EOS configured: the model goes on, so the EOS
	// claim is wrong and so is a length claim.
	for _, bad := range []int{claim, claim - 1} {
		if r := replayOf(t, m, "Once upon a time", answer, bad, p); r.EndOK || r.Exact {
			t.Fatalf("model without that EOS: claim %d accepted: %+v", bad, r)
		}
	}

	// Context: 128 positions, so a 4-token prompt gets 125 tokens.
	long := lengthRun(t, m, "abcd", engine.Params{MaxTokens: 1000, Temperature: 0.9, Seed: 8})
	c = generate(t, m, "abcd", long)
	if c.Usage.CompletionTokens != m.Cfg.MaxPos-4+1 {
		t.Fatalf("setup: %s %d tokens", c.FinishReason, c.Usage.CompletionTokens)
	}
	answer, claim = committed(c)
	r := replayOf(t, m, "abcd", answer, claim, long)
	wantExact(t, "context end", r, claim)
	if r := replayOf(t, m, "abcd", answer+"x", claim+1, long); r.Exact || r.EndOK || r.FirstDiff != claim {
		t.Fatalf("answer past the context accepted: %+v", r)
	}

	// max_tokens 0: only the empty answer with 0 tokens.
	zero := engine.Params{}
	if r := replayOf(t, m, "abcd", "", 0, zero); !r.Exact || r.Score != 1 || r.Passes != 0 {
		t.Fatalf("empty answer at max_tokens 0: %+v", r)
	}
	if r := replayOf(t, m, "abcd", "x", 1, zero); r.Exact || r.EndOK {
		t.Fatalf("text at max_tokens 0 accepted: %+v", r)
	}
}

// TestReplayRowsMatchDecodeBits: the logits Replay computes from one pass
// over prompt+answer (split into chunks of 5 rows here, and LM-head blocks
// of many rows) have, at every answer position, the bits the generator
// computed token by token, for f32 and quantized weights, on every kernel
// path, with one thread and with every product split across threads (an
// auditor's CPU need not be the miner's).
func TestReplayRowsMatchDecodeBits(t *testing.T) {
	defer kernels.Use(kernels.Current())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer kernels.SetParallelMin(kernels.SetParallelMin(1 << 21))
	for _, name := range []string{"gpt2-tiny", "llama-tiny", "gpt2-q8_0", "llama3-q8_0", "llama-q4_k_m"} {
		m := replayModel(t, name)
		for _, path := range kernels.Available() {
			kernels.Use(path)
			for _, procs := range []int{1, 4} {
				runtime.GOMAXPROCS(procs)
				kernels.SetParallelMin(1)
				if procs == 1 {
					kernels.SetParallelMin(1 << 21)
				}
				replayRowsMatch(t, fmt.Sprintf("%s %s GOMAXPROCS=%d", name, path, procs), m)
			}
		}
	}
}

func replayRowsMatch(t *testing.T, name string, m *Model) {
	prompt := m.Tok.Encode("Bits must not depend on batching.")
	p := engine.Params{MaxTokens: 30, Temperature: 1, Seed: 11}
	g, err := m.NewGenerator(prompt, p)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	var rows [][]float32
	for len(ids) < p.MaxTokens {
		tok, ok, err := g.Next()
		if err != nil || !ok {
			t.Fatal(err, ok)
		}
		ids = append(ids, tok)
		// g.logits now holds probabilities: recompute the raw row from
		// the hidden state the step used, with the generator's 1-row head.
		D := m.Cfg.Dim
		last := g.hidden[:D] // the prompt's last row, then each step's
		raw := make([]float32, m.Cfg.Vocab)
		head := []kernels.Product{product(raw, m.Cfg.Vocab, last, D, 1, D, m.Cfg.Vocab, m.lmHead, nil)}
		kernels.MatMuls(head)
		rows = append(rows, raw)
	}
	g.Close()
	answer := ""
	for _, id := range ids {
		b, _ := m.Tok.TokenBytes(id)
		answer += string(b)
	}
	r, err := m.newReplayer(prompt, answer, len(ids), p)
	if err != nil {
		t.Fatal(err)
	}
	r.seq = ids // the generator's own segmentation
	chunk := r.s.chunk
	r.s.chunk, r.s.sc = 5, nil // rows split across chunk boundaries
	defer func() {
		r.s.chunk, r.s.sc = chunk, nil
		m.putState(r.s)
	}()
	for j := range ids {
		row, err := r.row(j)
		if err != nil {
			t.Fatal(err)
		}
		for i := range row {
			if math.Float32bits(row[i]) != math.Float32bits(rows[j][i]) {
				t.Fatalf("%s: position %d logit %d: replay %v, generation %v", name, j, i, row[i], rows[j][i])
			}
		}
	}
	if r.passes != 1 {
		t.Fatalf("%s: %d passes", name, r.passes)
	}
}

// TestReplayDivergentSegmentation: a sampled answer whose tokenizer
// encoding differs from the ids generation drew still replays exactly,
// through a second pass from the divergence.
func TestReplayDivergentSegmentation(t *testing.T) {
	// A model that may draw only the ASCII byte tokens (ids 0..127 of the
	// byte-level vocabulary): its text is valid UTF-8, and wherever it draws
	// the two halves of a merge ("h", "e") the tokenizer gives the merged
	// token instead.
	dir := filepath.Join(t.TempDir(), "ascii")
	if _, err := models.Init(replaySpecs["llama3-bpe"], dir); err != nil {
		t.Fatal(err)
	}
	m := mustLoad(t, dir)
	m.sampleN = 128
	prompt := m.encodePrompt("Tokens", false)
	found := false
	for seed := uint64(1); seed <= 200 && !found; seed++ {
		p := engine.Params{MaxTokens: 100, Temperature: 2, Seed: seed}
		g, err := m.NewGenerator(prompt, p)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int
		for len(ids) < p.MaxTokens {
			tok, ok, err := g.Next()
			if err != nil || !ok {
				t.Fatal(err, ok)
			}
			ids = append(ids, tok)
		}
		g.Close()
		c := generate(t, m, "Tokens", p)
		answer, claim := committed(c)
		if answer != c.Text || claim != len(ids) {
			t.Fatalf("seed %d: ASCII draws gave invalid text or stopped early", seed)
		}
		if slices.Equal(m.Tok.EncodeNoSpecial(answer), ids) {
			continue
		}
		found = true
		r := replayOf(t, m, "Tokens", answer, claim, p)
		wantExact(t, fmt.Sprintf("seed %d", seed), r, claim)
		if r.Passes < 2 {
			t.Fatalf("seed %d: divergent segmentation replayed in %d pass", seed, r.Passes)
		}
		t.Logf("seed %d: %d tokens, %d passes", seed, r.Tokens, r.Passes)
	}
	if !found {
		t.Fatal("no sampled answer with a non-canonical segmentation in 200 seeds")
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// asciiRun finds i with ids[i-1] and ids[i] both ASCII bytes (so a
// change at i shows in the text at i).
func asciiRun(t *testing.T, m *Model, ids []int) int {
	t.Helper()
	for i := len(ids) / 2; i < len(ids); i++ {
		a, _ := m.Tok.TokenBytes(ids[i-1])
		b, _ := m.Tok.TokenBytes(ids[i])
		if len(a) == 1 && len(b) == 1 && a[0] < 0x80 && b[0] < 0x80 {
			return i
		}
	}
	t.Fatal("no two ASCII tokens in a row")
	return 0
}

// TestReplayRejectsTampering: every way of changing an honest answer, its
// params or its claim leaves generation's path.
func TestReplayRejectsTampering(t *testing.T) {
	m := replayModel(t, "gpt2-tiny")
	const prompt = "Once upon a time"
	greedy := engine.Params{MaxTokens: 32}
	sampled := engine.Params{MaxTokens: 32, Temperature: 0.9, Seed: 7, TopK: 40, TopP: 0.95}
	for _, p := range []engine.Params{greedy, lengthRun(t, m, prompt, sampled)} {
		c := generate(t, m, prompt, p)
		if c.Usage.CompletionTokens != 32 {
			t.Fatalf("setup: %+v", c)
		}
		honest, claim := committed(c)
		ids := greedyIDs(t, m, prompt, 32)
		if p.Temperature > 0 {
			ids = m.Tok.EncodeNoSpecial(c.Text)
		}
		k := asciiRun(t, m, ids)
		changed := slices.Clone(ids)
		changed[k] = int('a') + (ids[k]-int('a')+1+26)%26
		if changed[k] == ids[k] {
			changed[k] = int('z')
		}
		tampered, _ := m.Tok.Decode(changed)
		cases := []struct {
			name        string
			answer      string
			claim       int
			p           engine.Params
			firstDiff   int // -1: any
			wantEndFail bool
		}{
			{"one token changed", tampered, claim, p, k, false},
			{"truncated, length claim", honest[:20], 20, p, -1, true},
			{"truncated, EOS claim", honest[:20], 21, p, -1, true},
			{"extended", honest + "more", claim + 4, p, claim, true},
			{"claim one less", honest, claim - 1, p, -1, true},
			{"claim one more", honest, claim + 1, p, -1, true},
		}
		other, otherClaim := committed(generate(t, m, "A different prompt entirely", p))
		cases = append(cases, struct {
			name        string
			answer      string
			claim       int
			p           engine.Params
			firstDiff   int
			wantEndFail bool
		}{"answer of another prompt", other, otherClaim, p, -1, false})
		for _, c := range cases {
			r := replayOf(t, m, prompt, c.answer, c.claim, c.p)
			if r.Exact || r.Reason == "" {
				t.Fatalf("T=%v %s: accepted: %+v", p.Temperature, c.name, r)
			}
			if c.firstDiff >= 0 && r.FirstDiff != c.firstDiff {
				t.Fatalf("T=%v %s: first difference at %d, want %d (%s)", p.Temperature, c.name, r.FirstDiff, c.firstDiff, r.Reason)
			}
			if c.wantEndFail && r.EndOK {
				t.Fatalf("T=%v %s: end accepted: %+v", p.Temperature, c.name, r)
			}
		}
	}
	// Params that differ from those the answer was sampled with.
	sampled = engine.Params{MaxTokens: 32, Temperature: 0.9, Seed: 7, TopK: 10, TopP: 0.9}
	answer, claim := committed(generate(t, m, prompt, sampled))
	wantExact(t, "sampled", replayOf(t, m, prompt, answer, claim, sampled), claim)
	for name, p := range map[string]engine.Params{
		"another seed":        {MaxTokens: 32, Temperature: 0.9, Seed: 8, TopK: 10, TopP: 0.9},
		"another temperature": {MaxTokens: 32, Temperature: 0.5, Seed: 7, TopK: 10, TopP: 0.9},
		"another top_k":       {MaxTokens: 32, Temperature: 0.9, Seed: 7, TopK: 2, TopP: 0.9},
		"another top_p":       {MaxTokens: 32, Temperature: 0.9, Seed: 7, TopK: 10, TopP: 0.005},
		"greedy":              {MaxTokens: 32},
	} {
		if r := replayOf(t, m, prompt, answer, claim, p); r.Exact || r.FirstDiff < 0 {
			t.Fatalf("%s: accepted: %+v", name, r)
		}
	}
	// Off generation's path the end is judged by the tolerance rule: the
	// seed-7 answer under seed 8 runs to max_tokens, which is a valid end;
	// a claim of one token less, or of an EOS past max_tokens, is not.
	seed8 := engine.Params{MaxTokens: 32, Temperature: 0.9, Seed: 8, TopK: 10, TopP: 0.9}
	if r := replayOf(t, m, prompt, answer, claim, seed8); r.Exact || !r.EndOK || r.Tokens != claim {
		t.Fatalf("tolerant length end: %+v", r)
	}
	for _, bad := range []int{claim - 1, claim + 1} {
		if r := replayOf(t, m, prompt, answer, bad, seed8); r.Exact || r.EndOK || r.Reason == "" {
			t.Fatalf("tolerant end with claim %d accepted: %+v", bad, r)
		}
	}
	// The greedy answer of a different random model of the same shape.
	spec := tinySpecs["gpt2-tiny"]
	spec.Seed = 99
	dir := filepath.Join(t.TempDir(), "other")
	if _, err := models.Init(spec, dir); err != nil {
		t.Fatal(err)
	}
	otherModel := mustLoad(t, dir)
	answer, claim = committed(generate(t, otherModel, prompt, greedy))
	if r := replayOf(t, m, prompt, answer, claim, greedy); r.Exact || r.FirstDiff < 0 {
		t.Fatalf("another model's answer accepted: %+v", r)
	}
}

// TestReplayScore: the tolerance score is 1 for honest answers and far
// below for random tokens, greedy and sampled with a top-k cut.
func TestReplayScore(t *testing.T) {
	for _, name := range []string{"gpt2-tiny", "llama3-bpe"} {
		m := replayModel(t, name)
		rng := rand.New(rand.NewPCG(5, 5))
		for _, p := range []engine.Params{{MaxTokens: 64}, {MaxTokens: 64, Temperature: 0.8, Seed: 3, TopK: 10}} {
			honest, claim := committed(generate(t, m, "Scores", p))
			if r := replayOf(t, m, "Scores", honest, claim, p); r.Score != 1 {
				t.Fatalf("%s %+v: honest score %v", name, p, r.Score)
			}
			letters := make([]byte, 64)
			for i := range letters {
				letters[i] = byte('a' + rng.IntN(26))
			}
			noise := string(letters)
			r := replayOf(t, m, "Scores", noise, len(m.Tok.EncodeNoSpecial(noise)), p)
			if r.Exact || r.Score > 0.5 || r.Tokens == 0 {
				t.Fatalf("%s %+v: random tokens scored %v over %d tokens", name, p, r.Score, r.Tokens)
			}
			t.Logf("%s T=%v: random tokens score %.3f, mean logprob %.2f", name, p.Temperature, r.Score, r.MeanLogprob)
		}
	}
}

// TestReplayErrors: requests generation would refuse are errors, not
// verdicts (and do not panic).
func TestReplayErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := models.Init(tinySpecs["gpt2-tiny"], filepath.Join(dir, "tiny")); err != nil {
		t.Fatal(err)
	}
	e := &Engine{M: NewManager(dir, 1<<30, nil)}
	ctx := context.Background()
	ok := engine.Params{MaxTokens: 8}
	if _, err := e.Replay(ctx, "missing", "x", "y", 1, ok); !errors.Is(err, engine.ErrUnknownModel) {
		t.Fatalf("unknown model: %v", err)
	}
	if r, err := e.Replay(ctx, "tiny", "x", "y", 1, ok); err != nil || r.Tokens != 1 {
		t.Fatalf("engine replay: %+v %v", r, err)
	}
	long := strings.Repeat("a", 200) // 200 byte tokens, context 128
	for name, c := range map[string]struct {
		prompt string
		claim  int
		p      engine.Params
		want   error
	}{
		"empty prompt":        {"", 1, ok, engine.ErrBadRequest},
		"context overflow":    {long, 1, ok, engine.ErrContextTooLong},
		"negative temp":       {"x", 1, engine.Params{MaxTokens: 8, Temperature: -1}, engine.ErrBadRequest},
		"NaN temp":            {"x", 1, engine.Params{MaxTokens: 8, Temperature: math.NaN()}, engine.ErrBadRequest},
		"top_p above 1":       {"x", 1, engine.Params{MaxTokens: 8, TopP: 1.5}, engine.ErrBadRequest},
		"negative top_k":      {"x", 1, engine.Params{MaxTokens: 8, TopK: -1}, engine.ErrBadRequest},
		"negative max_tokens": {"x", 1, engine.Params{MaxTokens: -1}, engine.ErrBadRequest},
		"stop sequences":      {"x", 1, engine.Params{MaxTokens: 8, Stop: []string{"."}}, engine.ErrBadRequest},
		"negative claim":      {"x", -1, ok, engine.ErrBadRequest},
	} {
		if _, err := e.Replay(ctx, "tiny", c.prompt, "y", c.claim, c.p); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.Replay(cancelled, "tiny", "x", "y", 1, ok); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestTextMatcher: output decided as strings.ToValidUTF8 decides it, with
// characters split across tokens and invalid runs merged.
func TestTextMatcher(t *testing.T) {
	for _, c := range []struct {
		tokens  []string
		raw     string
		covered string // after each token: T if the text so far repairs to the answer
	}{
		{[]string{"ab", "c"}, "abc", "FT"},
		{[]string{"\xe6", "\x9d\x89", "x"}, "\xe6\x9d\x89x", "FFT"},      // a character split over tokens
		{[]string{"a\xe6", "\x9d"}, "a\xe6\x9d", "TT"},                   // cut off: one U+FFFD either way
		{[]string{"\xff", "\xfe", "b", "\xff"}, "\xff\xfeb\xff", "FFFT"}, // runs merge
		{[]string{"\uFFFD", "\xff"}, "\uFFFD\xff", "FT"},                 // a real U+FFFD, then a run
	} {
		answer := strings.ToValidUTF8(c.raw, "\uFFFD")
		tm := textMatcher{answer: answer}
		for i, tok := range c.tokens {
			if !tm.feed([]byte(tok)) {
				t.Fatalf("%q: token %d refused", c.raw, i)
			}
			if got := tm.covered(); got != (c.covered[i] == 'T') {
				t.Fatalf("%q: after token %d covered=%v", c.raw, i, got)
			}
		}
		bad := textMatcher{answer: answer}
		if bad.feed([]byte(c.raw + "z")) {
			t.Fatalf("%q: a longer text matched", c.raw)
		}
	}
	tm := textMatcher{answer: "ab"}
	if tm.feed([]byte("ax")) || !tm.feed([]byte("a")) || !tm.feed([]byte("b")) || !tm.covered() {
		t.Fatal("a different byte matched, or a refused feed changed the state")
	}
}
