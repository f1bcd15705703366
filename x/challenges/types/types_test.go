package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/types"
)

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	cases := map[string]func(p *types.Params){
		"empty epoch identifier":         func(p *types.Params) { p.EpochIdentifier = "" },
		"zero limit":                     func(p *types.Params) { p.MaxChallengesPerPosterPerEpoch = 0 },
		"miners over the cap":            func(p *types.Params) { p.MaxMiners = types.MaxMinersCap + 1 },
		"min > max response":             func(p *types.Params) { p.MinResponseWindowBlocks = p.MaxResponseWindowBlocks + 1 },
		"min > max evaluation":           func(p *types.Params) { p.MinEvaluationWindowBlocks = p.MaxEvaluationWindowBlocks + 1 },
		"zero reveal window":             func(p *types.Params) { p.RevealWindowBlocks = 0 },
		"patch over the cap":             func(p *types.Params) { p.MaxPatchBytes = types.MaxPatchBytesCap + 1 },
		"zero quorum":                    func(p *types.Params) { p.Quorum = 0 },
		"tolerance over 10000":           func(p *types.Params) { p.AgreementToleranceBps = 10_001 },
		"exponent 0":                     func(p *types.Params) { p.WeightExponent = 0 },
		"exponent over the cap":          func(p *types.Params) { p.WeightExponent = types.MaxWeightExponentCap + 1 },
		"negative prior":                 func(p *types.Params) { p.MinPriorWeight = sdkmath.LegacyNewDec(-1) },
		"nil prior":                      func(p *types.Params) { p.MinPriorWeight = sdkmath.LegacyDec{} },
		"mint share over 1":              func(p *types.Params) { p.MintShare = sdkmath.LegacyNewDec(2) },
		"invalid deposit denom":          func(p *types.Params) { p.PostingDeposit.Denom = "!" },
		"zero window of scores":          func(p *types.Params) { p.ScoreWindowEpochs = 0 },
		"zero max_queue_per_block":       func(p *types.Params) { p.MaxQueuePerBlock = 0 },
		"zero max_epoch_close_per_block": func(p *types.Params) { p.MaxEpochClosePerBlock = 0 },
		"zero max_answer_files":          func(p *types.Params) { p.MaxAnswerFiles = 0 },
		"max_answer_files over the cap":  func(p *types.Params) { p.MaxAnswerFiles = types.MaxContextPathsCap + 1 },
		"emission share of no task type": func(p *types.Params) {
			p.EmissionShares = []types.EmissionShare{{TaskType: types.TASK_TYPE_UNSPECIFIED, Share: 1}}
		},
		"emission share of an unknown type": func(p *types.Params) {
			p.EmissionShares = []types.EmissionShare{{TaskType: 9, Share: 1}}
		},
		"emission share listed twice": func(p *types.Params) {
			p.EmissionShares = append(p.EmissionShares, types.EmissionShare{TaskType: types.TASK_TYPE_BUGFIX, Share: 1})
		},
		"emission share over the cap":  func(p *types.Params) { p.EmissionShares[0].Share = types.MaxEmissionShare + 1 },
		"zero unavailable_skip_blocks": func(p *types.Params) { p.UnavailableSkipBlocks = 0 },
		"zero unavailable_min_reports": func(p *types.Params) { p.UnavailableMinReports = 0 },
		"unavailable_min_reports over the cap": func(p *types.Params) {
			p.UnavailableMinReports = types.MaxUnavailableMinReportsCap + 1
		},
		"every emission share 0": func(p *types.Params) {
			p.EmissionShares = []types.EmissionShare{{TaskType: types.TASK_TYPE_BUGFIX, Share: 0}}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			mutate(&p)
			require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
		})
	}
}

func TestCommitmentsAndSalt(t *testing.T) {
	for _, bad := range []string{strings.Repeat("0", 63), strings.Repeat("A", 64), strings.Repeat("0", 66), strings.Repeat("01", 16)} {
		_, err := types.DecodeSalt(bad)
		require.ErrorIs(t, err, types.ErrInvalidSalt, bad)
	}
	salt, err := types.DecodeSalt(strings.Repeat("01", 32))
	require.NoError(t, err)
	// a fixed-length salt: moving bytes between patch and salt is impossible, since a
	// 33-byte "salt" is rejected
	_, err = types.DecodeSalt("62" + strings.Repeat("01", 32))
	require.ErrorIs(t, err, types.ErrInvalidSalt)
	require.NoError(t, types.ValidateSha256Hex("c", types.PatchCommitment([]byte("x"), salt)))
	require.Len(t, types.TestsCommitment(strings.Repeat("ab", 32), salt), 64)
}

func TestShuffle(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e"}
	seed := types.InviteSeed([]byte("hash"), 1)
	got := types.Shuffle(seed, ids, 3)
	require.Len(t, got, 3)
	require.Equal(t, got, types.Shuffle(seed, ids, 3))
	require.Equal(t, []string{"a", "b", "c", "d", "e"}, ids, "input untouched")
	seen := map[string]bool{}
	for _, id := range types.Shuffle(seed, ids, 10) {
		require.False(t, seen[id])
		seen[id] = true
	}
	require.Len(t, seen, 5)
	require.Empty(t, types.Shuffle(seed, nil, 3))
	require.NotEqual(t, types.InviteSeed([]byte("hash"), 1), types.InviteSeed([]byte("hash"), 2))
}

func TestValidateScores(t *testing.T) {
	require.NoError(t, types.ValidateScores([]types.MinerScore{{NodeId: "n1", ScoreBps: 10_000}, {NodeId: "n2"}}))
	require.ErrorIs(t, types.ValidateScores(nil), types.ErrInvalidScores)
	require.ErrorIs(t, types.ValidateScores([]types.MinerScore{{NodeId: "", ScoreBps: 1}}), types.ErrInvalidScores)
	many := make([]types.MinerScore, types.MaxMinersCap+1)
	for i := range many {
		many[i].NodeId = strings.Repeat("x", i+1)
	}
	require.ErrorIs(t, types.ValidateScores(many), types.ErrInvalidScores)
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())
	gs := types.DefaultGenesis()
	gs.NextChallengeId = 0
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
	gs = types.DefaultGenesis()
	gs.Answers = []types.Answer{{ChallengeId: 5, NodeId: "n"}}
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
	gs = types.DefaultGenesis()
	gs.PendingRewards = []types.PendingReward{{NodeId: "n", Amount: sdkmath.ZeroInt()}}
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}
