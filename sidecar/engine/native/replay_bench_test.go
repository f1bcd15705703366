package native

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine"
)

// replayBenchModel is GPT-2 small's shape with 2,048 positions, so a
// 1,024-token answer fits after a prompt.
const replayBenchModel = "gpt2-small-2k"

// replayBenchParams: greedy, the common top-k/top-p cut (heap ordering),
// and plain temperature sampling (a full radix ordering per token).
var replayBenchParams = []struct {
	name string
	p    engine.Params
}{
	{"greedy", engine.Params{MaxTokens: 1024}},
	{"topk40-topp0.95", engine.Params{MaxTokens: 1024, Temperature: 0.8, TopK: 40, TopP: 0.95, Seed: 1}},
	{"temp1", engine.Params{MaxTokens: 1024, Temperature: 1, Seed: 2}},
}

type benchAnswer struct {
	ids    []int // generation's tokens (EOS excluded)
	answer string
	claim  int
}

var (
	replayAnswersMu sync.Mutex
	replayAnswers   = map[string]benchAnswer{}
)

// replayAnswer generates (once) the model's own 1,024-token answer, as
// Generate would (the text as miners commit it, the ids drawn).
func replayAnswer(b *testing.B, m *Model, prompt []int, name string, p engine.Params) benchAnswer {
	replayAnswersMu.Lock()
	defer replayAnswersMu.Unlock()
	if a, ok := replayAnswers[name]; ok {
		return a
	}
	g, err := m.NewGenerator(prompt, p)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	var a benchAnswer
	var text []byte
	for a.claim < p.MaxTokens {
		tok, ok, err := g.Next()
		if err != nil || !ok {
			b.Fatal(err, ok)
		}
		a.claim++
		if m.isEOS(tok) {
			break
		}
		tb, err := m.Tok.TokenBytes(tok)
		if err != nil {
			b.Fatal(err)
		}
		a.ids = append(a.ids, tok)
		text = append(text, tb...)
	}
	a.answer = strings.ToValidUTF8(string(text), "\uFFFD")
	replayAnswers[name] = a
	return a
}

// BenchmarkReplay1024 replays a 1,024-token answer (the model's own, so
// every position is on generation's path) after a 11-token prompt:
// "text" through Replay (re-drafting where the random model's tokens are
// not the tokenizer's segmentation, which trained models rarely do),
// "ids" with the draft set to the drawn ids (one pass: the cost of a
// replay without divergence). Compare with BenchmarkPrompt1024, one
// prompt-processing pass of the same length, and BenchmarkLoss1024 (that
// pass with the LM head on every row), on the same model.
func BenchmarkReplay1024(b *testing.B) {
	benchPath(b)
	m := benchModel(b, replayBenchModel)
	prompt := m.Tok.Encode("The network checks every answer it is paid for.")
	for _, c := range replayBenchParams {
		for _, mode := range []string{"text", "ids"} {
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				a := replayAnswer(b, m, prompt, c.name, c.p)
				var r engine.Replay
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if mode == "text" {
						var err error
						if r, err = m.Replay(context.Background(), prompt, a.answer, a.claim, c.p); err != nil {
							b.Fatal(err)
						}
						continue
					}
					rp, err := m.newReplayer(prompt, a.answer, a.claim, c.p)
					if err != nil {
						b.Fatal(err)
					}
					rp.seq = append([]int(nil), a.ids...)
					if err := rp.walk(context.Background()); err != nil {
						b.Fatal(err)
					}
					m.putState(rp.s)
					r = rp.result()
				}
				b.StopTimer()
				if !r.Exact {
					b.Fatalf("own answer not exact: %+v", r)
				}
				b.ReportMetric(float64(r.Tokens), "answer-tokens")
				b.ReportMetric(float64(r.Passes), "passes")
			})
		}
	}
}

// BenchmarkPrompt1024 is generation's prompt pass over 1,024 tokens: the
// forward pass and the LM head of the last row (what the first
// Generator.Next does).
func BenchmarkPrompt1024(b *testing.B) {
	benchPath(b)
	m := benchModel(b, replayBenchModel)
	prompt := randTokens(1024, m.Tok.VocabSize())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g, err := m.NewGenerator(prompt, engine.Params{MaxTokens: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := g.Next(); err != nil {
			b.Fatal(err)
		}
		g.Close()
	}
}

// BenchmarkLoss1024 is the loss of 1,024 tokens: the same pass with the
// LM head and a log-sum-exp on every row.
func BenchmarkLoss1024(b *testing.B) {
	benchPath(b)
	m := benchModel(b, replayBenchModel)
	toks := randTokens(1024, m.Tok.VocabSize())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Loss(context.Background(), toks); err != nil {
			b.Fatal(err)
		}
	}
}
