package native

import (
	"context"
	"fmt"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// Generator produces tokens one at a time after a prompt, reusing one state
// and one logits buffer, so each step allocates nothing.
type Generator struct {
	m      *Model
	s      *State
	p      engine.Params
	smp    *sampler
	hidden []float32
	logits []float32
	next   int // token to feed next (-1 before the prompt ran)
	tok    [1]int
	head   [1]kernels.Product
	prompt []int
}

// NewGenerator prepares generation of up to p.MaxTokens tokens after prompt.
func (m *Model) NewGenerator(prompt []int, p engine.Params) (*Generator, error) {
	if len(prompt) == 0 {
		return nil, fmt.Errorf("%w: empty prompt", engine.ErrBadRequest)
	}
	if len(prompt) >= m.Cfg.MaxPos {
		return nil, fmt.Errorf("%w: prompt of %d tokens, context %d", engine.ErrContextTooLong, len(prompt), m.Cfg.MaxPos)
	}
	if err := checkParams(p); err != nil {
		return nil, err
	}
	capacity := min(m.Cfg.MaxPos, len(prompt)+p.MaxTokens)
	s, err := m.getState(capacity)
	if err != nil {
		return nil, err
	}
	g := &Generator{m: m, s: s, p: p, next: -1, prompt: prompt,
		smp:    newSampler(p, m.sampleVocab()),
		hidden: make([]float32, m.Cfg.Dim),
		logits: make([]float32, m.Cfg.Vocab),
	}
	return g, nil
}

// Close returns the state to the model's pool.
func (g *Generator) Close() {
	if g.s != nil {
		g.m.putState(g.s)
		g.s = nil
	}
}

// Next returns the next token, or ok=false when the context is full.
func (g *Generator) Next() (tok int, ok bool, err error) {
	D := g.m.Cfg.Dim
	var last []float32
	if g.next < 0 {
		// Only the prompt's last position is sampled from.
		if err := g.s.ForwardLast(g.prompt, g.hidden); err != nil {
			return 0, false, err
		}
		last = g.hidden[:D]
	} else {
		if g.s.Pos() >= g.s.cap {
			return 0, false, nil
		}
		g.tok[0] = g.next
		if err := g.s.Forward(g.tok[:], g.hidden[:D]); err != nil {
			return 0, false, err
		}
		last = g.hidden[:D]
	}
	// The LM head's 50k columns split across the worker pool.
	g.head[0] = product(g.logits, g.m.Cfg.Vocab, last, D, 1, D, g.m.Cfg.Vocab, g.m.lmHead, nil)
	kernels.MatMuls(g.head[:])
	tok = g.smp.draw(g.logits) // never samples ids the tokenizer cannot decode
	g.next = tok
	return tok, true, nil
}

// Generate runs a whole completion; emit (optional) receives text pieces.
// Pieces hold back bytes that could start a stop sequence or an incomplete
// UTF-8 character, so the concatenated pieces equal the final text.
func (m *Model) Generate(ctx context.Context, prompt string, p engine.Params, emit func(string) error) (engine.Completion, error) {
	ids := m.encodePrompt(prompt, p.RenderedPrompt)
	g, err := m.NewGenerator(ids, p)
	if err != nil {
		return engine.Completion{}, err
	}
	defer g.Close()
	var out []byte
	sent := 0
	finish := "length"
	n := 0
	for n < p.MaxTokens {
		if err := ctx.Err(); err != nil {
			return engine.Completion{}, err
		}
		tok, ok, err := g.Next()
		if err != nil {
			return engine.Completion{}, err
		}
		if !ok {
			break
		}
		n++
		if m.isEOS(tok) {
			finish = "stop"
			break
		}
		b, err := m.Tok.TokenBytes(tok)
		if err != nil {
			return engine.Completion{}, err
		}
		out = append(out, b...)
		if cut, hit := findStop(out, p.Stop); hit {
			out = out[:cut]
			finish = "stop"
			break
		}
		if emit != nil {
			safe := safePrefix(out, p.Stop)
			if safe > sent {
				if err := emit(string(out[sent:safe])); err != nil {
					return engine.Completion{}, err
				}
				sent = safe
			}
		}
	}
	if emit != nil && len(out) > sent {
		if err := emit(string(out[sent:])); err != nil {
			return engine.Completion{}, err
		}
	}
	return engine.Completion{Text: string(out), FinishReason: finish,
		Usage: engine.Usage{PromptTokens: len(ids), CompletionTokens: n, TotalTokens: len(ids) + n}}, nil
}
