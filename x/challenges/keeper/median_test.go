package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/keeper"
)

func votes(pairs ...int64) []keeper.Vote {
	var out []keeper.Vote
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, keeper.Vote{ScoreBps: uint32(pairs[i]), Stake: sdkmath.NewInt(pairs[i+1])})
	}
	return out
}

func TestWeightedMedian(t *testing.T) {
	cases := []struct {
		name  string
		votes []keeper.Vote
		want  uint32
		ok    bool
	}{
		{"none", nil, 0, false},
		{"zero stake only", votes(5000, 0), 0, false},
		{"single", votes(7000, 10), 7000, true},
		{"equal stake, odd", votes(9000, 1, 1000, 1, 5000, 1), 5000, true},
		{"single outlier cannot move it", votes(10000, 1, 6000, 1, 6100, 1, 5900, 1, 0, 1), 6000, true},
		{"outlier with a third of the stake", votes(10000, 33, 4000, 33, 4200, 34), 4200, true},
		{"majority stake decides", votes(10000, 51, 0, 49), 10000, true},
		{"stake changes the result", votes(10000, 49, 0, 51), 0, true},
		{"tie at exactly half: lower", votes(2000, 5, 8000, 5), 2000, true},
		{"ties in score", votes(3000, 1, 3000, 1, 9000, 1), 3000, true},
		{"order does not matter", votes(0, 1, 3000, 1, 9000, 1, 3000, 1), 3000, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := keeper.WeightedMedian(tc.votes)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}
