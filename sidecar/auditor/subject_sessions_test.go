package auditor

import (
	"context"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/miner"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

var nodes = []string{"n1", "n2", "n3"}

func greedy(maxTokens uint32) sessionstypes.SamplingParams {
	return sessionstypes.SamplingParams{MaxTokens: maxTokens, Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec()}
}

func seeded(maxTokens uint32, seed uint64) sessionstypes.SamplingParams {
	return sessionstypes.SamplingParams{MaxTokens: maxTokens, Temperature: sdkmath.LegacyMustNewDecFromStr("0.9"),
		TopP: sdkmath.LegacyMustNewDecFromStr("0.95"), TopK: 40, Seed: seed}
}

// newTask is a task on the fixture's model m1 whose three nodes committed what an honest
// miner commits (miner.Compute), all paid.
func newTask(t *testing.T, f *fixture, prompt string, s sessionstypes.SamplingParams, mode sessionstypes.VerificationMode) *sessionstypes.Task {
	t.Helper()
	task := &sessionstypes.Task{Id: 9, ModelId: "m1", EmbeddingDim: 64, Prompt: prompt, Sampling: s, Verification: mode}
	r := compute(t, f, task)
	for _, n := range nodes {
		task.Assignments = append(task.Assignments, sessionstypes.Assignment{NodeId: n, Status: sessionstypes.ASSIGNMENT_STATUS_VALIDATED,
			ResultText: r.Text, Embedding: r.Embedding, PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens})
	}
	return task
}

func compute(t *testing.T, f *fixture, task *sessionstypes.Task) miner.Result {
	t.Helper()
	r, err := miner.Compute(context.Background(), f.eng, task)
	require.NoError(t, err)
	return r
}

// sessionTask is a greedy embedding-mode task of 12 tokens; it also returns the answer.
func sessionTask(t *testing.T, f *fixture) (*sessionstypes.Task, string) {
	task := newTask(t, f, "Once upon a time", greedy(12), sessionstypes.VERIFICATION_MODE_EMBEDDING)
	return task, task.Assignments[0].ResultText
}

// commit makes node i commit r (with r's own honest embedding, as a cheater would).
func commit(task *sessionstypes.Task, i int, r miner.Result) {
	as := &task.Assignments[i]
	as.ResultText, as.Embedding, as.PromptTokens, as.CompletionTokens = r.Text, r.Embedding, r.PromptTokens, r.CompletionTokens
}

func embedText(t *testing.T, f *fixture, text string) []int32 {
	t.Helper()
	vs, _, err := f.eng.Embed(context.Background(), "m1", []string{text})
	require.NoError(t, err)
	e, err := miner.Quantize(vs[0])
	require.NoError(t, err)
	return e
}

// noReplay hides the native engine's Replay: an engine that cannot replay.
type noReplay struct{ engine.Engine }

func TestCheckSessionTask(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	ctx := context.Background()
	s := SessionSubject{}

	t.Run("honest nodes pass", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		fd, err := CheckSessionTask(ctx, f.eng, task, p)
		require.NoError(t, err)
		require.False(t, fd.Fraud())
	})
	t.Run("a wrong embedding fails the embedding check and names only that node", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		wrong, err := miner.WrongEmbedding(task.Assignments[1].Embedding, task.Id)
		require.NoError(t, err)
		task.Assignments[1].Embedding = wrong
		// An unpaid node is not judged, whatever it committed.
		task.Assignments[2].Status = sessionstypes.ASSIGNMENT_STATUS_REJECTED
		task.Assignments[2].Embedding = wrong
		fd, err := CheckSessionTask(ctx, f.eng, task, p)
		require.NoError(t, err)
		require.True(t, fd.Fraud())
		require.Equal(t, sessionstypes.AuditCheckEmbedding, fd.Check)
		require.Equal(t, map[string]string{"n2": sessionstypes.AuditCheckEmbedding}, fd.Failed)
		// The fraud figure, then the replay score of the node that was replayed (n1; n2
		// failed before its replay, n3 is not audited).
		require.Len(t, fd.Figures, 2)
		require.Equal(t, sessionstypes.FraudFigureName("n2"), fd.Figures[0].Name)
		require.Equal(t, auditstypes.Figure{Name: sessionstypes.ReplayFigureName("n1"), Value: "1.000000"}, fd.Figures[1])
		require.Equal(t, []string{"n2"}, sessionstypes.ParseFraudFigures(fd.Figures))

		report := &auditstypes.FraudReport{FailedCheck: fd.Check, Figures: fd.Figures}
		require.True(t, s.Confirms(report, fd))
		// A report naming an honest node too, or the wrong check, or nobody, is voted down.
		bad := &auditstypes.FraudReport{Figures: append(append([]auditstypes.Figure{}, fd.Figures...),
			auditstypes.Figure{Name: "node:n1", Value: "embedding:0.300000"})}
		require.False(t, s.Confirms(bad, fd))
		require.False(t, s.Confirms(&auditstypes.FraudReport{Figures: []auditstypes.Figure{{Name: "node:n2", Value: "output:0.9"}}}, fd))
		require.False(t, s.Confirms(&auditstypes.FraudReport{Figures: []auditstypes.Figure{{Name: "note", Value: "x"}}}, fd))
		require.False(t, s.Confirms(report, nil))
	})
	t.Run("engines that cannot replay fall back to the greedy output check", func(t *testing.T) {
		task, honest := sessionTask(t, f)
		other := "zzzz qqqq xxxx " + honest + " 0000 1111"
		task.Assignments[0].ResultText = other
		task.Assignments[0].Embedding = embedText(t, f, other)
		tight := p
		tight.AuditOutputTolerance = sdkmath.LegacyNewDecWithPrec(1, 6)
		fd, err := CheckSessionTask(ctx, noReplay{f.eng}, task, tight)
		require.NoError(t, err)
		require.True(t, fd.Fraud())
		require.Equal(t, sessionstypes.AuditCheckOutput, fd.Check)
		require.Equal(t, map[string]string{"n1": sessionstypes.AuditCheckOutput}, fd.Failed)
		require.Len(t, fd.Figures, 1, "no replay, no scores")

		// Sampled tasks get no output check on such engines.
		task.Sampling = seeded(12, 3)
		fd, err = CheckSessionTask(ctx, noReplay{f.eng}, task, tight)
		require.NoError(t, err)
		require.Nil(t, fd)
	})
	t.Run("embedding tasks embed the prompt and replay nothing", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		task.PromptType = sessionstypes.PromptTypeEmbedding
		for i := range task.Assignments {
			task.Assignments[i].ResultText = task.Prompt
			task.Assignments[i].CompletionTokens = 0
			task.Assignments[i].Embedding = embedText(t, f, task.Prompt)
		}
		fd, err := CheckSessionTask(ctx, f.eng, task, p)
		require.NoError(t, err)
		require.Nil(t, fd)
	})
	t.Run("unreadable tasks are not judged", func(t *testing.T) {
		task, _ := sessionTask(t, f)
		task.Pruned = true
		_, err := CheckSessionTask(ctx, f.eng, task, p)
		require.Error(t, err)
		task, _ = sessionTask(t, f)
		task.Assignments[0].Embedding = nil
		_, err = CheckSessionTask(ctx, f.eng, task, p)
		require.Error(t, err)
		task, _ = sessionTask(t, f)
		task.ModelId = "absent"
		_, err = CheckSessionTask(ctx, f.eng, task, p)
		require.ErrorIs(t, err, engine.ErrUnknownModel)
	})
}

// Honest answers replay exactly in both modes, greedy and sampled, chat and completion: the
// audit passes and carries each paid node's score.
func TestReplayPassesHonestAnswers(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	for name, s := range map[string]sessionstypes.SamplingParams{"greedy": greedy(24), "seeded": seeded(24, 77)} {
		for _, mode := range []sessionstypes.VerificationMode{sessionstypes.VERIFICATION_MODE_EMBEDDING, sessionstypes.VERIFICATION_MODE_EXACT} {
			for _, pt := range []string{sessionstypes.PromptTypeCompletion, sessionstypes.PromptTypeChat} {
				t.Run(name+"/"+mode.String()+"/"+pt, func(t *testing.T) {
					task := newTask(t, f, "Tell me about the sea.", s, mode)
					task.PromptType = pt
					r := compute(t, f, task)
					for i := range nodes {
						commit(task, i, r)
					}
					task.Assignments[2].Status = sessionstypes.ASSIGNMENT_STATUS_REJECTED // not audited: no figure
					fd, err := CheckSessionTask(context.Background(), f.eng, task, p)
					require.NoError(t, err)
					require.False(t, fd.Fraud(), "%+v", fd)
					require.Equal(t, []auditstypes.Figure{
						{Name: sessionstypes.ReplayFigureName("n1"), Value: "1.000000"},
						{Name: sessionstypes.ReplayFigureName("n2"), Value: "1.000000"},
					}, fd.Figures)
				})
			}
		}
	}
}

// Each tampered answer, committed with its own honest embedding (so the embedding check
// passes), fails the replay check, and only its node is named.
func TestReplayCatchesTamperedAnswers(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	ctx := context.Background()
	const prompt = "Tell me about the sea."
	type tamper func(t *testing.T, task *sessionstypes.Task) miner.Result
	other := func(t *testing.T, task *sessionstypes.Task, edit func(*sessionstypes.Task)) miner.Result {
		c := *task
		c.Assignments = nil
		edit(&c)
		return compute(t, f, &c)
	}
	cases := map[string]struct {
		s     sessionstypes.SamplingParams
		modes []sessionstypes.VerificationMode
		do    tamper
	}{
		// At temperature 0 a changed token is judged against the tie tolerance (0.5 logits),
		// which the random test model's flat logits keep most tokens inside: greedy changes
		// are an exact-mode catch there; sampled ones (outside top_k 40 of 257) are caught in
		// both modes.
		"changed tokens (greedy)":  {greedy(24), exactOnly, changeHalf(f)},
		"changed tokens (sampled)": {seeded(24, 5), both, changeHalf(f)},
		"truncated": {seeded(24, 5), both, func(t *testing.T, task *sessionstypes.Task) miner.Result {
			return other(t, task, func(c *sessionstypes.Task) { c.Sampling.MaxTokens = uint32(task.Assignments[0].CompletionTokens / 2) })
		}},
		"another prompt's answer": {seeded(24, 5), both, func(t *testing.T, task *sessionstypes.Task) miner.Result {
			return other(t, task, func(c *sessionstypes.Task) { c.Prompt = "Write a poem about the mountains." })
		}},
		// At temperature > 0 every token of another seed's draw lies inside the sampling
		// set, so only the exact rule can tell: wrong seeds are an exact-mode catch.
		"wrong seed": {seeded(24, 5), exactOnly, func(t *testing.T, task *sessionstypes.Task) miner.Result {
			return other(t, task, func(c *sessionstypes.Task) { c.Sampling.Seed++ })
		}},
		"wrong temperature": {seeded(24, 5), exactOnly, func(t *testing.T, task *sessionstypes.Task) miner.Result {
			return other(t, task, func(c *sessionstypes.Task) { c.Sampling.Temperature = sdkmath.LegacyMustNewDecFromStr("0.5") })
		}},
	}
	for name, c := range cases {
		for _, mode := range c.modes {
			t.Run(name+"/"+mode.String(), func(t *testing.T) {
				task := newTask(t, f, prompt, c.s, mode)
				bad := c.do(t, task)
				require.NotEqual(t, task.Assignments[0].ResultText, bad.Text, "the tampering must change the answer")
				commit(task, 1, bad)
				fd, err := CheckSessionTask(ctx, f.eng, task, p)
				require.NoError(t, err)
				require.True(t, fd.Fraud(), "%+v", fd)
				require.Equal(t, sessionstypes.AuditCheckReplay, fd.Check)
				require.Equal(t, map[string]string{"n2": sessionstypes.AuditCheckReplay}, fd.Failed)
				require.Equal(t, []string{"n2"}, sessionstypes.ParseFraudFigures(fd.Figures))
				// Every replayed node's score is in the report, the failing one's too.
				scores := sessionstypes.ParseReplayFigures(fd.Figures)
				require.Len(t, scores, 3)
				require.Equal(t, "n2", scores[1].NodeID)
				require.Equal(t, sessionstypes.FraudFigureValue(sessionstypes.AuditCheckReplay, sessionstypes.FormatReplayScore(scores[1].Score)), fd.Figures[0].Value)
				require.True(t, SessionSubject{}.Confirms(&auditstypes.FraudReport{FailedCheck: fd.Check, Figures: fd.Figures}, fd))
			})
		}
	}
}

var (
	both      = []sessionstypes.VerificationMode{sessionstypes.VERIFICATION_MODE_EMBEDDING, sessionstypes.VERIFICATION_MODE_EXACT}
	exactOnly = []sessionstypes.VerificationMode{sessionstypes.VERIFICATION_MODE_EXACT}
)

// changeHalf overwrites the answer's second half and embeds the result honestly.
func changeHalf(f *fixture) func(t *testing.T, task *sessionstypes.Task) miner.Result {
	return func(t *testing.T, task *sessionstypes.Task) miner.Result {
		r := resultOf(task, 0)
		b := []byte(r.Text)
		for i := len(b) / 2; i < len(b); i++ {
			b[i] = 'Q'
		}
		r.Text = string(b)
		r.Embedding = embedText(t, f, r.Text)
		return r
	}
}

func resultOf(task *sessionstypes.Task, i int) miner.Result {
	as := task.Assignments[i]
	return miner.Result{Text: as.ResultText, Embedding: as.Embedding, PromptTokens: as.PromptTokens, CompletionTokens: as.CompletionTokens}
}

// An exact task needs the exact answer. At temperature > 0 with no top-k or top-p cut every
// token has a positive probability, so any text of max_tokens tokens scores 1 with the
// tolerance: it passes an embedding-mode audit (the tolerance's limit, measured by make
// bench-verify) and fails an exact-mode one.
func TestExactTaskNeedsTheExactAnswer(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	s := sessionstypes.SamplingParams{MaxTokens: 24, Temperature: sdkmath.LegacyMustNewDecFromStr("0.9"), TopP: sdkmath.LegacyOneDec(), Seed: 5}
	for _, mode := range both {
		task := newTask(t, f, "Tell me about the sea.", s, mode)
		text := "any plausible answer ..." // 24 bytes: 24 tokens of the byte-level vocabulary
		require.Len(t, text, 24)
		commit(task, 0, miner.Result{Text: text, Embedding: embedText(t, f, text), CompletionTokens: 24})
		fd, err := CheckSessionTask(context.Background(), f.eng, task, p)
		require.NoError(t, err)
		if mode == sessionstypes.VERIFICATION_MODE_EXACT {
			require.True(t, fd.Fraud())
			require.Equal(t, map[string]string{"n1": sessionstypes.AuditCheckReplay}, fd.Failed)
		} else {
			require.False(t, fd.Fraud(), "every token is inside the sampling set: %+v", fd)
			require.Equal(t, auditstypes.Figure{Name: sessionstypes.ReplayFigureName("n1"), Value: "1.000000"}, fd.Figures[0])
		}
	}
}

// The replay threshold is the model's replay_min_score: raising it above an answer's score
// turns a pass into a replay failure for that node.
func TestReplayThresholdIsTheParam(t *testing.T) {
	f := newFixture(t)
	p := sessionstypes.DefaultParams()
	task := newTask(t, f, "Tell me about the sea.", greedy(24), sessionstypes.VERIFICATION_MODE_EMBEDDING)
	r := resultOf(task, 0)
	b := []byte(r.Text)
	b[len(b)/2] = 'Q'
	if string(b) == r.Text {
		b[len(b)/2] = 'R'
	}
	r.Text = string(b)
	r.Embedding = embedText(t, f, r.Text)
	commit(task, 2, r)
	fd, err := CheckSessionTask(context.Background(), f.eng, task, p)
	require.NoError(t, err)
	scores := sessionstypes.ParseReplayFigures(fd.Figures)
	require.Len(t, scores, 3)
	s := scores[2].Score
	require.True(t, s.LT(sdkmath.LegacyOneDec()), "one changed token lowers the score")
	p.ReplayMinScore = s
	fd, err = CheckSessionTask(context.Background(), f.eng, task, p)
	require.NoError(t, err)
	require.False(t, fd.Fraud(), "a score equal to the threshold passes")
	p.ReplayMinScore = s.Add(sdkmath.LegacyNewDecWithPrec(1, 6))
	fd, err = CheckSessionTask(context.Background(), f.eng, task, p)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"n3": sessionstypes.AuditCheckReplay}, fd.Failed)
}

func TestReplayScoreAndFitFigures(t *testing.T) {
	require.Equal(t, "0.950000", sessionstypes.FormatReplayScore(ReplayScore(19.0/20)), "a ratio's float error does not drop it below")
	require.Equal(t, "1.000000", sessionstypes.FormatReplayScore(ReplayScore(1)))
	require.Equal(t, "0.000000", sessionstypes.FormatReplayScore(ReplayScore(-0.5)))
	require.Equal(t, "1.000000", sessionstypes.FormatReplayScore(ReplayScore(1.5)))
	nan := 0.0
	require.Equal(t, "0.000000", sessionstypes.FormatReplayScore(ReplayScore(nan/nan)))

	figs := []auditstypes.Figure{{Name: "node:a"}, {Name: "replay:a"}, {Name: "replay:b"}}
	require.Equal(t, figs[:2], fitFigures(figs, 2))
	require.Equal(t, figs, fitFigures(figs, 16))
	require.Empty(t, fitFigures(figs, 0))
}
