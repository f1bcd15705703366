package native

import (
	"context"
	"fmt"
	"sync"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// lossRows is how many logit rows are computed at once: the V-wide rows
// are large (200 KB each for GPT-2), so the loss walks them in blocks,
// large enough that each packed LM-head panel read from memory serves many
// rows (25 MB of logits per block for GPT-2).
const lossRows = 128

// Loss returns the mean negative log-likelihood of tokens[1:] given their
// prefixes: each term is logsumexp(logits) - logit[target] in float64,
// summed in token order.
func (m *Model) Loss(ctx context.Context, tokens []int) (engine.LossResult, error) {
	if len(tokens) < 2 {
		return engine.LossResult{}, fmt.Errorf("%w: loss needs at least 2 tokens, got %d", engine.ErrBadRequest, len(tokens))
	}
	lps, err := m.TokenLogprobs(ctx, tokens)
	if err != nil {
		return engine.LossResult{}, err
	}
	var sum float64
	for _, lp := range lps {
		sum -= lp
	}
	return engine.LossResult{Loss: sum / float64(len(lps)), Tokens: len(lps)}, nil
}

// Embed returns the L2-normalised pooled final hidden state: the mean over
// tokens (summed in token order, then scaled) by default, or the last
// token's state when the config asks for "last" pooling.
func (m *Model) Embed(ctx context.Context, tokens []int) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%w: empty text", engine.ErrBadRequest)
	}
	if len(tokens) > m.Cfg.MaxPos {
		return nil, fmt.Errorf("%w: %d tokens, context %d", engine.ErrContextTooLong, len(tokens), m.Cfg.MaxPos)
	}
	s, err := m.getState(len(tokens))
	if err != nil {
		return nil, err
	}
	defer m.putState(s)
	D := m.Cfg.Dim
	hidden := make([]float32, len(tokens)*D)
	if err := s.Forward(tokens, hidden); err != nil {
		return nil, err
	}
	return m.pool1(hidden, len(tokens)), nil
}

// pool1 pools n rows of final hidden states into one L2-normalised vector.
func (m *Model) pool1(hidden []float32, n int) []float32 {
	D := m.Cfg.Dim
	out := make([]float32, D)
	if m.Cfg.Pooling == "last" {
		copy(out, hidden[(n-1)*D:n*D])
	} else {
		for t := 0; t < n; t++ {
			kernels.Add(out, hidden[t*D:t*D+D])
		}
		inv := 1 / float32(n)
		for i := range out {
			out[i] = float32(out[i] * inv)
		}
	}
	norm := kernels.Sqrt32(kernels.SumSquares(out, 0))
	if norm > 0 {
		for i := range out {
			out[i] = out[i] / norm
		}
	}
	return out
}

// TokenLogprobs returns log p(token[i] | tokens[:i]) for i >= 1 (the first
// token has no prediction), as OpenAI's echo+logprobs reports them.
func (m *Model) TokenLogprobs(ctx context.Context, tokens []int) ([]float64, error) {
	if len(tokens) < 2 {
		return nil, nil
	}
	if len(tokens) > m.Cfg.MaxPos {
		return nil, fmt.Errorf("%w: %d tokens, context %d", engine.ErrContextTooLong, len(tokens), m.Cfg.MaxPos)
	}
	s, err := m.getState(len(tokens))
	if err != nil {
		return nil, err
	}
	defer m.putState(s)
	D := m.Cfg.Dim
	hidden := make([]float32, len(tokens)*D)
	if err := s.Forward(tokens, hidden); err != nil {
		return nil, err
	}
	n := len(tokens) - 1
	out := make([]float64, n)
	if err := m.logprobRows(ctx, hidden[:n*D], tokens[1:], out); err != nil {
		return nil, err
	}
	return out, nil
}

// logprobRows sets out[i] = log softmax(hidden row i . lmHead)[targets[i]]
// for every row, walking the V-wide logits in blocks of rows; the
// log-sum-exps of a block's rows are split across threads.
func (m *Model) logprobRows(ctx context.Context, hidden []float32, targets []int, out []float64) error {
	D, V := m.Cfg.Dim, m.Cfg.Vocab
	n := len(targets)
	logits := make([]float32, min(lossRows, n)*V)
	workers := kernels.Workers(min(lossRows, n) * D * V)
	scratch := make([][]float32, workers)
	for w := range scratch {
		scratch[w] = make([]float32, V)
	}
	for r0 := 0; r0 < n; r0 += lossRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows := min(lossRows, n-r0)
		kernels.MatMul(logits, V, hidden[r0*D:], D, rows, D, V, m.lmHead, nil)
		lse := func(w, lo, hi int) {
			for r := lo; r < hi; r++ {
				row := logits[r*V : r*V+V]
				out[r0+r] = float64(row[targets[r0+r]]) - kernels.LogSumExp(row, scratch[w])
			}
		}
		if workers == 1 || rows < 2*workers {
			lse(0, 0, rows)
			continue
		}
		var wg sync.WaitGroup
		for w := 1; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lse(w, w*rows/workers, (w+1)*rows/workers)
			}()
		}
		lse(0, 0, rows/workers)
		wg.Wait()
	}
	return nil
}
