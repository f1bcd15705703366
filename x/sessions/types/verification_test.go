package types_test

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/sessions/types"
)

// TestExactSeedGolden pins the seed derivation the README documents:
// uint64_be(sha256("cortd/sessions/seed/v1" ‖ last block hash ‖ uint64_be(task id))[0:8]).
// The vectors were computed independently (Python hashlib).
func TestExactSeedGolden(t *testing.T) {
	hash := make([]byte, 32)
	for i := range hash {
		hash[i] = byte(i)
	}
	require.Equal(t, uint64(11591273373573885810), types.ExactSeed(hash, 42))
	require.Equal(t, uint64(16040016032172415829), types.ExactSeed(hash, 43), "the task id is bound")
	require.Equal(t, uint64(6394107966449269044), types.ExactSeed(nil, 1), "an empty hash (genesis block) still draws")

	// the same layout by hand
	buf := append([]byte(types.ExactSeedDomain), hash...)
	buf = binary.BigEndian.AppendUint64(buf, 42)
	sum := sha256.Sum256(buf)
	require.Equal(t, binary.BigEndian.Uint64(sum[:8]), types.ExactSeed(hash, 42))
}

func exact(text string, ct uint64, emb ...int32) types.ExactResult {
	return types.NewExactResult(text, emb, ct)
}

func TestJudgeExact(t *testing.T) {
	a := exact("Hello!", 3, 1_000_000, 0)
	cases := []struct {
		name   string
		in     []types.ExactResult
		medoid int
		pass   []bool
	}{
		{"no results", nil, -1, []bool{}},
		{"one result", []types.ExactResult{a}, 0, []bool{true}},
		{"three identical, one differs", []types.ExactResult{exact("Hi", 3, 1_000_000, 0), a, a, a}, 1, []bool{false, true, true, true}},
		{"text differs", []types.ExactResult{a, exact("Hello?", 3, 1_000_000, 0), a}, 0, []bool{true, false, true}},
		{"embedding differs by one unit", []types.ExactResult{exact("Hello!", 3, 999_999, 0), a, a}, 1, []bool{false, true, true}},
		{"completion tokens differ", []types.ExactResult{a, exact("Hello!", 4, 1_000_000, 0), a}, 0, []bool{true, false, true}},
		{"embedding length differs", []types.ExactResult{a, exact("Hello!", 3, 1_000_000), a}, 0, []bool{true, false, true}},
		// ties between groups: the group holding the earliest-assigned result wins
		{"two groups of two", []types.ExactResult{exact("x", 1, 1), a, exact("x", 1, 1), a}, 0, []bool{true, false, true, false}},
		{"tie: the group of the earliest result wins", []types.ExactResult{a, exact("x", 1, 1), exact("x", 1, 1), a}, 0, []bool{true, false, false, true}},
		{"all differ", []types.ExactResult{exact("a", 1, 1), exact("b", 1, 1), exact("c", 1, 1)}, 0, []bool{true, false, false}},
		{"larger later group beats an earlier one", []types.ExactResult{exact("x", 1, 1), a, a}, 1, []bool{false, true, true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := types.JudgeExact(c.in)
			require.Equal(t, c.medoid, v.Medoid)
			require.Equal(t, c.pass, v.Pass)
			n := 0
			for _, p := range c.pass {
				if p {
					n++
				}
			}
			require.Equal(t, n, v.Passed)
		})
	}
}

func TestExactResultFromText(t *testing.T) {
	r := types.NewExactResult("Hello!", []int32{1}, 2)
	sum := sha256.Sum256([]byte("Hello!"))
	require.Equal(t, sum[:], r.ResultSha256)
	require.True(t, r.Equal(types.ExactResult{ResultSha256: sum[:], Embedding: []int32{1}, CompletionTokens: 2}))
}

func TestVerificationModeValidation(t *testing.T) {
	for _, m := range []types.VerificationMode{types.VERIFICATION_MODE_UNSPECIFIED, types.VERIFICATION_MODE_EMBEDDING, types.VERIFICATION_MODE_EXACT} {
		require.NoError(t, types.ValidateVerificationMode(m))
	}
	for _, m := range []types.VerificationMode{3, -1, 1 << 20} {
		require.ErrorIs(t, types.ValidateVerificationMode(m), types.ErrInvalidVerification)
	}
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, types.VERIFICATION_MODE_UNSPECIFIED.Effective(), "older state")
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, types.VERIFICATION_MODE_EMBEDDING.Effective())
	require.Equal(t, types.VERIFICATION_MODE_EXACT, types.VERIFICATION_MODE_EXACT.Effective())
}
