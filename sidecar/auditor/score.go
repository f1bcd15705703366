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
	modelstypes "github.com/cortnet/cortd/x/models/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// The scoring rule. Submitters (`cortd-sidecar score`) and auditors must compute the
// same figures, so the rule is fixed here and shared by both:
//
//   - the data is cut by the target's modality (ChunkData), the same chunks for every
//     assigned model: a text target's data must be valid UTF-8 and is cut into chunks of
//     at most ChunkBytes bytes, each cut moved back to a rune boundary (so no chunk
//     splits a character); a bytes target's data (any file: x/data assigns it bytes
//     models only, which read one token per byte) is cut at fixed ChunkBytes offsets.
//     Chunks fit the 1,024-token context of every supported tokenizer (≤ 1 token per
//     byte);
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

// ErrNotText is the error of text-target data that is not valid UTF-8: the text models
// such a target may be assigned cannot score it (CheckNotText for an auditor).
var ErrNotText = errors.New("data is not valid UTF-8")

// ChunkData cuts data by the rule of a target of modality m: ByteChunks for a bytes
// target, Chunks for a text one (MODALITY_TEXT or UNSPECIFIED), after checking that the
// data is valid UTF-8 (ErrNotText, with the offset of the first invalid byte).
func ChunkData(data []byte, m modelstypes.Modality) ([]string, error) {
	if m.IsBytes() {
		return ByteChunks(data, ChunkBytes), nil
	}
	if off := invalidUTF8(data); off >= 0 {
		return nil, fmt.Errorf("%w at byte %d: a text target takes text (binary data needs a bytes target)", ErrNotText, off)
	}
	return Chunks(data, ChunkBytes), nil
}

// invalidUTF8 is the offset of the first byte that does not start a valid UTF-8
// encoding, -1 when data is valid UTF-8.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// ByteChunks cuts data into pieces of exactly n bytes (the last one shorter), wherever
// the cut falls: the rule for raw bytes, where a boundary means nothing.
func ByteChunks(data []byte, n int) []string {
	var out []string
	for len(data) > 0 {
		end := min(n, len(data))
		out = append(out, string(data[:end]))
		data = data[end:]
	}
	return out
}

// Chunks cuts data into pieces of at most n bytes at rune boundaries (the text rule).
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

// ScoreData runs every assigned model's Loss on the data, cut by the target's modality
// (ChunkData), and the winner's Embed (every model's when embedAll).
func ScoreData(ctx context.Context, eng engine.Engine, t *datatypes.Target, data []byte, embedAll bool) (Score, error) {
	if len(t.Models) == 0 {
		return Score{}, errors.New("target has no assigned models")
	}
	if len(data) == 0 {
		return Score{}, errors.New("no data")
	}
	chunks, err := ChunkData(data, t.Modality)
	if err != nil {
		return Score{}, fmt.Errorf("target %d: %w", t.Id, err)
	}
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

// TextOnly wraps an engine that carries texts as JSON strings (an OpenAI-compatible
// backend, --engine openai): JSON has no bytes, and encoders replace every byte that is
// not UTF-8 with U+FFFD, so a bytes target's binary chunks would be scored as other
// data and an honest submission reported. The wrapper's Loss and Embed refuse such
// chunks instead (ErrNotText): `score` fails with that error and an auditor cannot judge
// (it neither passes nor reports). Valid UTF-8, text targets' data included, goes
// through unchanged. The native engine takes Go strings, which hold any bytes.
func TextOnly(e engine.Engine) engine.Engine { return textOnly{e} }

type textOnly struct{ engine.Engine }

func carriesAsText(texts []string) error {
	for i, t := range texts {
		if !utf8.ValidString(t) {
			return fmt.Errorf("chunk %d: %w: this engine carries text as JSON, which cannot hold raw bytes (score binary data with --engine native)", i, ErrNotText)
		}
	}
	return nil
}

// Loss implements engine.Engine.
func (e textOnly) Loss(ctx context.Context, model string, texts []string) ([]engine.LossResult, error) {
	if err := carriesAsText(texts); err != nil {
		return nil, err
	}
	return e.Engine.Loss(ctx, model, texts)
}

// Embed implements engine.Engine.
func (e textOnly) Embed(ctx context.Context, model string, texts []string) ([][]float32, engine.Usage, error) {
	if err := carriesAsText(texts); err != nil {
		return nil, engine.Usage{}, err
	}
	return e.Engine.Embed(ctx, model, texts)
}
