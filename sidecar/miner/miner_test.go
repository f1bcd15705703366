package miner

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func TestQuantizeNormalisesAndScales(t *testing.T) {
	q, err := Quantize([]float32{3, 4})
	require.NoError(t, err)
	require.Equal(t, []int32{600_000, 800_000}, q)
	// The chain's norm check passes: |Σx² − 10¹²| ≤ 1% of 10¹².
	require.NoError(t, sessionstypes.CheckEmbedding(q, 2, sdkmath.LegacyNewDecWithPrec(1, 2)))

	q, err = Quantize([]float32{-1, 0, 0})
	require.NoError(t, err)
	require.Equal(t, []int32{-1_000_000, 0, 0}, q)
}

func TestQuantizeRejectsBadVectors(t *testing.T) {
	_, err := Quantize([]float32{0, 0})
	require.ErrorContains(t, err, "zero vector")
	_, err = Quantize([]float32{1, float32(math.NaN())})
	require.ErrorContains(t, err, "NaN")
	_, err = Quantize([]float32{float32(math.Inf(1))})
	require.Error(t, err)
}

func TestStoreRoundTripAndForget(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	require.NoError(t, err)
	_, ok, err := s.Get(7)
	require.NoError(t, err)
	require.False(t, ok)

	r := Result{TaskID: 7, NodeID: "n", Text: "héllo", Embedding: []int32{1, -2}, PromptTokens: 3, CompletionTokens: 4, Salt: make([]byte, 32)}
	r.Hash = sessionstypes.PrecommitHash(r.TaskID, r.NodeID, r.Text, r.Embedding, r.PromptTokens, r.CompletionTokens, r.Salt)
	require.NoError(t, s.Put(r))
	// A second store on the same folder (a restarted miner) reads the same result.
	s2, err := OpenStore(dir)
	require.NoError(t, err)
	got, ok, err := s2.Get(7)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, r, got)
	ids, err := s2.Tasks()
	require.NoError(t, err)
	require.Equal(t, []uint64{7}, ids)

	require.NoError(t, s2.Delete(7))
	require.NoError(t, s2.Delete(7)) // idempotent
	ids, err = s2.Tasks()
	require.NoError(t, err)
	require.Empty(t, ids)
}

func TestStoreReportsCorruptFile(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "task-9.json"), []byte("{"), 0o600))
	_, _, err = s.Get(9)
	require.ErrorContains(t, err, "corrupt")
}

func TestGarbageIsAValidButForeignResult(t *testing.T) {
	task := &sessionstypes.Task{Id: 1, EmbeddingDim: 64}
	a, err := garbage(task)
	require.NoError(t, err)
	b, err := garbage(task)
	require.NoError(t, err)
	require.NotEqual(t, a.Text, b.Text)
	// Well formed (the chain accepts the commit) so that validation, not the
	// commit checks, is what rejects it.
	require.NoError(t, sessionstypes.CheckEmbedding(a.Embedding, 64, sdkmath.LegacyNewDecWithPrec(1, 2)))
}

func TestStoreRefusesInvalidUTF8(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	require.ErrorContains(t, s.Put(Result{TaskID: 1, Text: "a\xffb"}), "UTF-8")
}
