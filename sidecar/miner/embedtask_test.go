package miner

import (
	"context"
	"errors"
	"math"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// honest is a made-up honest embedding of dim components, as the chain encodes it.
func honest(t *testing.T, dim int) []int32 {
	t.Helper()
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(math.Sin(float64(3*i + 1)))
	}
	q, err := Quantize(v)
	require.NoError(t, err)
	return q
}

func TestWrongEmbeddingPassesValidationButNotAnAudit(t *testing.T) {
	norm := sdkmath.LegacyNewDecWithPrec(1, 2)
	for _, dim := range []int{2, 64, 768} {
		h := honest(t, dim)
		w, err := WrongEmbedding(h, 42)
		require.NoError(t, err)
		require.Len(t, w, dim)
		// Well formed: the commit is accepted.
		require.NoError(t, sessionstypes.CheckEmbedding(w, uint32(dim), norm), "dim %d", dim)
		// Redundancy validation (default threshold 0.85) accepts it against the honest medoid...
		require.True(t, sessionstypes.CosineAtLeast(w, h, sdkmath.LegacyMustNewDecFromStr("0.85")), "dim %d", dim)
		// ...but it is about WrongEmbeddingCosine from the honest one: not within 0.95.
		require.False(t, sessionstypes.CosineAtLeast(w, h, sdkmath.LegacyMustNewDecFromStr("0.91")), "dim %d", dim)
		require.True(t, sessionstypes.CosineAtLeast(w, h, sdkmath.LegacyMustNewDecFromStr("0.89")), "dim %d", dim)
		// ‖a − b‖² ≈ 2 − 2·0.9 = 0.2 (10¹² is 1 in the chain's squared units).
		d := float64(sessionstypes.SquaredDistance(w, h)) / 1e12
		require.InDelta(t, 0.2, d, 0.002, "dim %d", dim)
	}
}

func TestWrongEmbeddingIsDeterministicPerTask(t *testing.T) {
	h := honest(t, 64)
	a, err := WrongEmbedding(h, 7)
	require.NoError(t, err)
	b, err := WrongEmbedding(h, 7)
	require.NoError(t, err)
	require.Equal(t, a, b, "a restarted miner recomputes the same vector")
	c, err := WrongEmbedding(h, 8)
	require.NoError(t, err)
	require.NotEqual(t, a, c, "another task, another direction")
}

func TestWrongEmbeddingRejectsDegenerateInput(t *testing.T) {
	_, err := WrongEmbedding([]int32{0, 0, 0}, 1)
	require.Error(t, err)
	_, err = WrongEmbedding([]int32{1_000_000}, 1)
	require.Error(t, err)
}

func TestGarbageOnAnEmbeddingTaskKeepsTheInput(t *testing.T) {
	task := &sessionstypes.Task{Id: 3, EmbeddingDim: 16, Prompt: "embed me", PromptType: sessionstypes.PromptTypeEmbedding}
	r, err := garbage(task)
	require.NoError(t, err)
	// The commit is accepted, so redundancy validation is what rejects the vector.
	require.NoError(t, sessionstypes.CheckEmbeddingResult(task.Prompt, r.Text, r.CompletionTokens))
	require.NoError(t, sessionstypes.CheckEmbedding(r.Embedding, 16, sdkmath.LegacyNewDecWithPrec(1, 2)))
}

// fakeEngine embeds every text as a fixed vector and refuses completions: an
// embedding task must never run one.
type fakeEngine struct {
	engine.Engine
	vec      []float32
	embedded []string
}

func (f *fakeEngine) Complete(context.Context, string, string, engine.Params) (engine.Completion, error) {
	return engine.Completion{}, errors.New("completion on an embedding task")
}

func (f *fakeEngine) Embed(_ context.Context, _ string, texts []string) ([][]float32, engine.Usage, error) {
	f.embedded = append(f.embedded, texts...)
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = f.vec
	}
	return out, engine.Usage{PromptTokens: 4, TotalTokens: 4}, nil
}

func TestComputeEmbeddingTask(t *testing.T) {
	fe := &fakeEngine{vec: []float32{3, 4}}
	m := &Miner{e: fe}
	task := &sessionstypes.Task{Id: 1, ModelId: "tiny", EmbeddingDim: 2, Prompt: "embed me", PromptType: sessionstypes.PromptTypeEmbedding}
	r, err := m.computeEmbedding(context.Background(), task)
	require.NoError(t, err)
	require.Equal(t, []string{"embed me"}, fe.embedded, "the input is embedded, nothing else")
	require.Equal(t, Result{Text: "embed me", Embedding: []int32{600_000, 800_000}, PromptTokens: 4}, r)
	require.NoError(t, sessionstypes.CheckEmbeddingResult(task.Prompt, r.Text, r.CompletionTokens))

	task.EmbeddingDim = 3
	_, err = m.computeEmbedding(context.Background(), task)
	require.ErrorContains(t, err, "expects 3")
}
