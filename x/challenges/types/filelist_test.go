package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/types"
)

func d(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

// F1 of precision and recall, in integers: worked numbers.
func TestScoreFileList(t *testing.T) {
	cases := []struct {
		name        string
		answer, key []string
		hits        int
		p, r, f1    string
		bps         uint32
	}{
		{"answer {a,b,c}, key {a,d}", []string{"a", "b", "c"}, []string{"a", "d"}, 1,
			"0.333333333333333333", "0.5", "0.4", 4_000},
		{"exact", []string{"x.go", "y/z.go"}, []string{"y/z.go", "x.go"}, 2, "1", "1", "1", 10_000},
		{"disjoint", []string{"a"}, []string{"b"}, 0, "0", "0", "0", 0},
		{"subset of the key: recall 1/3", []string{"a"}, []string{"a", "b", "c"}, 1, "1", "0.333333333333333333", "0.5", 5_000},
		// 2·2/(3+4) = 4/7 = 0.571428571428571428...: floor in bps
		{"4/7", []string{"a", "b", "x"}, []string{"a", "b", "c", "d"}, 2,
			"0.666666666666666666", "0.5", "0.571428571428571428", 5_714},
		{"empty answer", nil, []string{"a"}, 0, "0", "0", "0", 0},
		{"empty key and answer", nil, nil, 0, "0", "0", "0", 0},
		{"duplicates count once", []string{"a", "a"}, []string{"a"}, 1, "1", "1", "1", 10_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := types.ScoreFileList(tc.answer, tc.key)
			require.Equal(t, tc.hits, s.Hits)
			require.Equal(t, d(tc.p), s.Precision, "precision")
			require.Equal(t, d(tc.r), s.Recall, "recall")
			require.Equal(t, d(tc.f1), s.F1, "F1")
			require.Equal(t, tc.bps, s.ScoreBps)
			// symmetric in F1 (not in precision/recall)
			require.Equal(t, s.ScoreBps, types.ScoreFileList(tc.key, tc.answer).ScoreBps)
		})
	}
}

func TestFileListEncoding(t *testing.T) {
	enc := types.EncodeFileList([]string{"b.go", "a/x.go", "b.go"})
	require.Equal(t, "a/x.go\nb.go\n", string(enc))
	got, err := types.ParseFileList(enc, 2, 16)
	require.NoError(t, err)
	require.Equal(t, []string{"a/x.go", "b.go"}, got)
	_, err = types.ParseFileList(enc, 1, 16)
	require.ErrorIs(t, err, types.ErrInvalidFileList, "over max files")
	_, err = types.ParseFileList(enc, 2, 5)
	require.ErrorIs(t, err, types.ErrInvalidFileList, "a path over max bytes")
	norm, err := types.NormalizeFileList([]string{"z.go", "a.go", "z.go"}, 8, 64)
	require.NoError(t, err)
	require.Equal(t, []string{"a.go", "z.go"}, norm)
	for _, bad := range [][]string{{"../x"}, {"/x"}, {""}, {"a/./b"}, {"a\nb"}} {
		_, err := types.NormalizeFileList(bad, 8, 64)
		require.ErrorIs(t, err, types.ErrInvalidFileList, "%q", bad)
	}
}
