package miner

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// computeEmbedding answers an embedding task (prompt_type "embedding"): no
// completion, the embedding of the prompt with the session's model. The result
// text is the prompt itself (the chain requires it: x/sessions README, "Embedding
// tasks"), so the precommit hash, the receipt and audits treat it like any result.
func (m *Miner) computeEmbedding(ctx context.Context, t *sessionstypes.Task) (Result, error) {
	emb, promptTokens, err := m.embed(ctx, t, t.Prompt)
	if err != nil {
		return Result{}, err
	}
	return Result{Text: t.Prompt, Embedding: emb, PromptTokens: promptTokens}, nil
}

// embed is the chain's integer embedding of text with the task's model, and the
// number of tokens the engine read; an empty text has the protocol's fixed
// EmptyResultEmbedding and reads none.
func (m *Miner) embed(ctx context.Context, t *sessionstypes.Task, text string) ([]int32, uint64, error) {
	if text == "" {
		return EmptyResultEmbedding(t.EmbeddingDim), 0, nil
	}
	vecs, usage, err := m.e.Embed(ctx, t.ModelId, []string{text})
	if err != nil {
		return nil, 0, fmt.Errorf("engine embedding (%s): %w", t.ModelId, err)
	}
	if len(vecs) != 1 || len(vecs[0]) != int(t.EmbeddingDim) {
		got := 0
		if len(vecs) == 1 {
			got = len(vecs[0])
		}
		return nil, 0, fmt.Errorf("engine embedding of %s has %d components; the chain expects %d", t.ModelId, got, t.EmbeddingDim)
	}
	emb, err := Quantize(vecs[0])
	if err != nil {
		return nil, 0, err
	}
	return emb, uint64(max(usage.PromptTokens, 0)), nil
}

// WrongEmbeddingCosine is the cosine between the honest embedding and the one a
// --faulty-embedding miner commits: above the chain's default similarity_threshold
// (0.85), so redundancy validation accepts it, yet 1 − cos = 0.10 and
// ‖a − b‖ = √0.2 ≈ 0.45 from what any honest re-embedding gives, far outside an
// audit's tolerance. Only an auditor re-embedding the committed text catches it.
const WrongEmbeddingCosine = 0.90

// WrongEmbedding is a --faulty-embedding miner's embedding for a text whose honest
// embedding is emb: emb rotated by the angle whose cosine is WrongEmbeddingCosine
// toward a direction derived from the task id (deterministic, so a restarted miner
// computes the same one). It is unit length, so it passes the chain's norm check.
func WrongEmbedding(emb []int32, taskID uint64) ([]int32, error) {
	v := make([]float64, len(emb))
	var vv float64
	for i, x := range emb {
		v[i] = float64(x)
		vv += v[i] * v[i]
	}
	if len(v) < 2 || vv == 0 {
		return nil, errors.New("wrong embedding: need a non-zero vector of at least 2 components")
	}
	for i := range v {
		v[i] /= math.Sqrt(vv)
	}
	// u: a pseudo-random direction from the task id, made orthogonal to v.
	u := make([]float64, len(v))
	for tries := uint64(0); ; tries++ {
		var uv float64
		for i := range u {
			var b [24]byte
			copy(b[:8], "faultyEm")
			binary.BigEndian.PutUint64(b[8:], taskID)
			binary.BigEndian.PutUint64(b[16:], tries<<32|uint64(i))
			h := sha256.Sum256(b[:])
			u[i] = float64(binary.BigEndian.Uint64(h[:8]))/math.MaxUint64*2 - 1
			uv += u[i] * v[i]
		}
		var uu float64
		for i := range u {
			u[i] -= uv * v[i]
			uu += u[i] * u[i]
		}
		if uu > 1e-12 {
			for i := range u {
				u[i] /= math.Sqrt(uu)
			}
			break
		}
		if tries > 8 {
			return nil, errors.New("wrong embedding: no orthogonal direction found")
		}
	}
	c, s := WrongEmbeddingCosine, math.Sqrt(1-WrongEmbeddingCosine*WrongEmbeddingCosine)
	out := make([]float32, len(v))
	for i := range v {
		out[i] = float32(c*v[i] + s*u[i])
	}
	return Quantize(out)
}
