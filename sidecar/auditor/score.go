package auditor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/miner"
	datatypes "github.com/cortnet/cortd/x/data/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// The scoring rule. Submitters (`cortd-sidecar score`) and auditors must compute the
// same figures, so the rule is fixed here and shared by both:
//
//   - the data, read as text, is cut into chunks of at most ChunkBytes bytes, each cut
//     moved back to a UTF-8 rune boundary (so no chunk splits a character); chunks fit
//     the 1,024-token context of every supported tokenizer (≤ 1 token per byte);
//   - a model's loss is the token-weighted mean of its per-chunk losses (engine.MeanLoss),
//     carried on chain as a decimal with LossDecimals decimals (LossDec);
//   - a model's embedding is the byte-weighted mean of its per-chunk embeddings,
//     normalised and quantised to the chain's integers (miner.Quantize);
//   - the winner is the lowest LossDec, a tie going to the earliest model in the
//     target's order (the chain's rule); its embedding's squared distance to the centre
//     is sessionstypes.SquaredDistance, within the threshold per datatypes.WithinThreshold.
const (
	ChunkBytes   = 512
	LossDecimals = 6
	// batchChunks bounds the chunks sent to the engine in one call, so a large file
	// never builds one huge batch.
	batchChunks = 64
)

// Chunks cuts data into pieces of at most n bytes at rune boundaries.
func Chunks(data []byte, n int) []string {
	var out []string
	for len(data) > 0 {
		end := min(n, len(data))
		if end < len(data) {
			// Step back to the start of a rune; a run of invalid bytes longer than
			// UTFMax is cut anywhere (it is not text, and the tokenizers take bytes).
			for k := end; k > end-utf8.UTFMax && k > 0; k-- {
				if utf8.RuneStart(data[k]) {
					end = k
					break
				}
			}
		}
		out = append(out, string(data[:end]))
		data = data[end:]
	}
	return out
}

// LossDec converts an engine loss (nats per token) to the chain's decimal, rounded to
// LossDecimals decimals.
func LossDec(loss float64) (sdkmath.LegacyDec, error) {
	if math.IsNaN(loss) || math.IsInf(loss, 0) || loss < 0 || loss > 1e9 {
		return sdkmath.LegacyDec{}, fmt.Errorf("loss %v is not a finite non-negative number", loss)
	}
	return sdkmath.LegacyNewDecWithPrec(int64(math.Round(loss*1e6)), LossDecimals), nil
}

// ModelScore is one model's figures on the data.
type ModelScore struct {
	Model  string
	Loss   float64
	Dec    sdkmath.LegacyDec
	Tokens int
	// Embedding and DistanceSq are set for the models embedded (the winner at least).
	Embedding  []int32
	DistanceSq int64
}

// Score is the figures of the data against a target.
type Score struct {
	Models []ModelScore // in the target's order
	Winner int          // index into Models
	Within bool         // the winner's distance is within the target's threshold
}

// WinnerScore is the winning model's figures.
func (s Score) WinnerScore() ModelScore { return s.Models[s.Winner] }

// ScoreData runs every assigned model's Loss on the data and the winner's Embed (every
// model's when embedAll).
func ScoreData(ctx context.Context, eng engine.Engine, t *datatypes.Target, data []byte, embedAll bool) (Score, error) {
	if len(t.Models) == 0 {
		return Score{}, errors.New("target has no assigned models")
	}
	if len(data) == 0 {
		return Score{}, errors.New("no data")
	}
	chunks := Chunks(data, ChunkBytes)
	s := Score{Models: make([]ModelScore, len(t.Models))}
	for i, m := range t.Models {
		l, err := Loss(ctx, eng, m, chunks)
		if err != nil {
			return Score{}, fmt.Errorf("model %s: loss: %w", m, err)
		}
		d, err := LossDec(l.Loss)
		if err != nil {
			return Score{}, fmt.Errorf("model %s: %w", m, err)
		}
		s.Models[i] = ModelScore{Model: m, Loss: l.Loss, Dec: d, Tokens: l.Tokens}
		if d.LT(s.Models[s.Winner].Dec) {
			s.Winner = i
		}
	}
	for i := range s.Models {
		if i != s.Winner && !embedAll {
			continue
		}
		e, err := Embedding(ctx, eng, s.Models[i].Model, chunks, len(t.Centre))
		if err != nil {
			return Score{}, fmt.Errorf("model %s: embed: %w", s.Models[i].Model, err)
		}
		s.Models[i].Embedding = e
		s.Models[i].DistanceSq = sessionstypes.SquaredDistance(e, t.Centre)
	}
	s.Within = datatypes.WithinThreshold(s.Models[s.Winner].DistanceSq, t.Threshold)
	return s, nil
}

// Loss is the token-weighted mean loss of a model over the chunks.
func Loss(ctx context.Context, eng engine.Engine, model string, chunks []string) (engine.LossResult, error) {
	var all []engine.LossResult
	for lo := 0; lo < len(chunks); lo += batchChunks {
		rs, err := eng.Loss(ctx, model, chunks[lo:min(lo+batchChunks, len(chunks))])
		if err != nil {
			return engine.LossResult{}, err
		}
		all = append(all, rs...)
	}
	r := engine.MeanLoss(all)
	if r.Tokens == 0 {
		return r, errors.New("no token was scored (every chunk is a single token)")
	}
	return r, nil
}

// Embedding is the byte-weighted mean of a model's chunk embeddings, as the chain's
// integers; dim is the target's dimension (a model of another dim is an error).
func Embedding(ctx context.Context, eng engine.Engine, model string, chunks []string, dim int) ([]int32, error) {
	acc := make([]float64, dim)
	for lo := 0; lo < len(chunks); lo += batchChunks {
		part := chunks[lo:min(lo+batchChunks, len(chunks))]
		vs, _, err := eng.Embed(ctx, model, part)
		if err != nil {
			return nil, err
		}
		if len(vs) != len(part) {
			return nil, fmt.Errorf("engine returned %d embeddings for %d texts", len(vs), len(part))
		}
		for i, v := range vs {
			if len(v) != dim {
				return nil, fmt.Errorf("embedding dim %d, the target's is %d", len(v), dim)
			}
			w := float64(len(part[i]))
			for j, x := range v {
				acc[j] += w * float64(x)
			}
		}
	}
	f := make([]float32, dim)
	for j, x := range acc {
		f[j] = float32(x)
	}
	return miner.Quantize(f)
}
