package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/types"
)

// postContextSelection posts a context-selection challenge (no test command) for 3
// miners and runs the invitation block.
func (f *fixture) postContextSelection(t testing.TB) types.Challenge {
	t.Helper()
	m := f.postMsg()
	m.TaskType, m.TestCommand, m.ContextPaths, m.Checklist = types.TASK_TYPE_CONTEXT_SELECTION, "", nil, nil
	m.ProblemStatement = "Max returns 0 for a slice of negative numbers; which files must change?"
	m.MinMiners = 3
	res, err := f.msg.PostChallenge(f.Ctx, m)
	require.NoError(t, err)
	f.nextBlock(t)
	c := f.challenge(t, res.ChallengeId)
	require.Len(t, c.Invited, 3)
	return c
}

func (f *fixture) commitBytes(t testing.TB, id uint64, node string, answer []byte) {
	t.Helper()
	salt, _ := types.DecodeSalt(patchSalt)
	_, err := f.msg.CommitPatch(f.Ctx, &types.MsgCommitPatch{Sender: minerOp(nodeIndex(node)).String(), ChallengeId: id,
		NodeId: node, Commitment: types.PatchCommitment(answer, salt)})
	require.NoError(t, err)
}

func (f *fixture) revealBytes(id uint64, node string, answer []byte) error {
	_, err := f.msg.RevealPatch(f.Ctx, &types.MsgRevealPatch{Sender: minerOp(nodeIndex(node)).String(), ChallengeId: id,
		NodeId: node, Patch: answer, Salt: patchSalt})
	return err
}

// A context-selection challenge needs no test command (a bugfix one does), and its
// answers are canonical file lists: anything else is refused at the reveal, even bytes
// that match the commitment, and a refused reveal changes nothing.
func TestContextSelectionAnswerValidation(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	p := testParams()

	bugfix := f.postMsg()
	bugfix.TestCommand = ""
	f.rejects(t, types.ErrInvalidField, func() error { _, err := f.msg.PostChallenge(f.Ctx, bugfix); return err })
	unknown := f.postMsg()
	unknown.TaskType = types.TaskType(4)
	f.rejects(t, types.ErrInvalidTaskType, func() error { _, err := f.msg.PostChallenge(f.Ctx, unknown); return err })

	c := f.postContextSelection(t)
	require.Equal(t, types.TASK_TYPE_CONTEXT_SELECTION, c.TaskType)
	a, b, d := c.Invited[0], c.Invited[1], c.Invited[2]
	good := types.EncodeFileList([]string{"calc.go", "internal/max.go"})
	require.Equal(t, "calc.go\ninternal/max.go\n", string(good))
	unsorted := []byte("internal/max.go\ncalc.go\n")
	f.commitBytes(t, c.Id, a, good)
	f.commitBytes(t, c.Id, b, unsorted) // a non-canonical list: committed, never revealable
	f.commitBytes(t, c.Id, d, good)
	f.runTo(t, c.CommitEndHeight)

	many := make([]string, p.MaxAnswerFiles+1)
	for i := range many {
		many[i] = fmt.Sprintf("f%03d.go", i)
	}
	cases := map[string][]byte{
		"unsorted":            unsorted,
		"duplicate":           []byte("calc.go\ncalc.go\n"),
		"absolute":            []byte("/etc/passwd\n"),
		"dot-dot":             []byte("../secret.go\n"),
		"dot-dot inside":      []byte("a/../../b.go\n"),
		"dot segment":         []byte("./calc.go\n"),
		"empty segment":       []byte("a//calc.go\n"),
		"empty path":          []byte("\ncalc.go\n"),
		"no final newline":    []byte("calc.go"),
		"backslash":           []byte("a\\calc.go\n"),
		"carriage return":     []byte("calc.go\r\n"),
		"not UTF-8":           []byte("\xff.go\n"),
		"too many files":      types.EncodeFileList(many),
		"path over the limit": []byte(strings.Repeat("a", int(p.MaxPathBytes)+1) + "\n"),
	}
	for name, answer := range cases {
		t.Run(name, func(t *testing.T) {
			f.rejects(t, types.ErrInvalidFileList, func() error { return f.revealBytes(c.Id, b, answer) })
		})
	}
	// exactly max_answer_files paths is within the bound
	_, err := types.ParseFileList(types.EncodeFileList(many[:p.MaxAnswerFiles]), p.MaxAnswerFiles, p.MaxPathBytes)
	require.NoError(t, err)
	f.rejects(t, types.ErrEmptyPatch, func() error { return f.revealBytes(c.Id, a, nil) })
	// a canonical list that is not the committed one
	f.rejects(t, types.ErrCommitmentMismatch, func() error { return f.revealBytes(c.Id, a, []byte("calc.go\n")) })
	require.NoError(t, f.revealBytes(c.Id, a, good))
	require.NoError(t, f.revealBytes(c.Id, d, good))
	ans, err := f.q.Answers(f.Ctx, &types.QueryAnswersRequest{ChallengeId: c.Id})
	require.NoError(t, err)
	for _, x := range ans.Answers {
		require.Equal(t, x.NodeId != b, x.Revealed, x.NodeId)
		if x.Revealed {
			require.Equal(t, good, x.Patch)
		}
	}
}

// A context-selection challenge end to end in the keeper: three miners reveal file lists,
// the poster reveals the tests (the answer key), two evaluators submit the F1 scores
// types.ScoreFileList gives, the median becomes each answer's score, and the epoch close
// weights the miners under TASK_TYPE_CONTEXT_SELECTION and pays them the whole emission
// (the only weighted task type). Worked numbers: key {calc.go, stats/max.go};
// {calc.go, stats/max.go} scores 10000; {README.md, calc.go, go.mod} precision 1/3,
// recall 1/2, F1 2/5 = 4000 bps; {main.go} 0.
func TestContextSelectionScoredAndWeighted(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	f.fundPool(t, 100_000_000)
	c := f.postContextSelection(t)
	key := []string{"calc.go", "stats/max.go"}
	lists := map[string][]string{
		c.Invited[0]: {"calc.go", "stats/max.go"},
		c.Invited[1]: {"calc.go", "README.md", "go.mod"},
		c.Invited[2]: {"main.go"},
	}
	want := map[string]uint32{c.Invited[0]: 10_000, c.Invited[1]: 4_000, c.Invited[2]: 0}
	for _, n := range c.Invited {
		f.commitBytes(t, c.Id, n, types.EncodeFileList(lists[n]))
	}
	f.runTo(t, c.CommitEndHeight)
	for _, n := range c.Invited {
		require.NoError(t, f.revealBytes(c.Id, n, types.EncodeFileList(lists[n])))
	}
	f.runTo(t, c.RevealEndHeight)
	_, err := f.msg.RevealTests(f.Ctx, f.revealTestsMsg(c.Id))
	require.NoError(t, err)

	// what an evaluator computes from the revealed answers and the key
	ans, err := f.q.Answers(f.Ctx, &types.QueryAnswersRequest{ChallengeId: c.Id})
	require.NoError(t, err)
	scores := map[string]uint32{}
	p := testParams()
	for _, x := range ans.Answers {
		got, err := types.ParseFileList(x.Patch, p.MaxAnswerFiles, p.MaxPathBytes)
		require.NoError(t, err)
		scores[x.NodeId] = types.ScoreFileList(got, key).ScoreBps
	}
	require.Equal(t, want, scores)
	mid := types.ScoreFileList([]string{"README.md", "calc.go", "go.mod"}, key)
	require.Equal(t, dec("0.333333333333333333"), mid.Precision)
	require.Equal(t, dec("0.5"), mid.Recall)
	require.Equal(t, dec("0.4"), mid.F1)
	for i := 0; i < 2; i++ {
		_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(i, c.Id, scores))
		require.NoError(t, err)
	}
	f.runTo(t, f.challenge(t, c.Id).EvaluationEndHeight)
	require.Equal(t, types.CHALLENGE_STATUS_SCORED, f.challenge(t, c.Id).Status)
	ans, err = f.q.Answers(f.Ctx, &types.QueryAnswersRequest{ChallengeId: c.Id})
	require.NoError(t, err)
	for _, x := range ans.Answers {
		require.True(t, x.Scored)
		require.Equal(t, want[x.NodeId], x.ScoreBps, x.NodeId)
	}

	require.NoError(t, f.k.CloseEpoch(f.Ctx))
	f.checkInvariants(t)
	ws, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: types.TASK_TYPE_CONTEXT_SELECTION})
	require.NoError(t, err)
	require.Len(t, ws.Weights, 3)
	weight := map[string]sdkmath.LegacyDec{}
	sum := sdkmath.LegacyZeroDec()
	for _, w := range ws.Weights {
		weight[w.NodeId] = w.Weight
		sum = sum.Add(w.Weight)
	}
	require.Equal(t, sdkmath.LegacyOneDec(), sum)
	a, b, d := c.Invited[0], c.Invited[1], c.Invited[2]
	require.True(t, weight[a].GT(weight[b]) && weight[b].GT(weight[d]), "weights follow the F1 scores: %v", weight)
	for _, tt := range []types.TaskType{types.TASK_TYPE_CODEGEN, types.TASK_TYPE_BUGFIX} {
		none, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: tt})
		require.NoError(t, err)
		require.Empty(t, none.Weights, tt.String())
	}
	emission := testParams().EpochEmission.Amount
	for n, w := range weight {
		res, err := f.q.PendingRewards(f.Ctx, &types.QueryPendingRewardsRequest{NodeId: n})
		require.NoError(t, err)
		require.Equal(t, w.MulInt(emission).TruncateInt(), res.Amount, "the only weighted type gets the whole emission")
	}
}

// setStats writes one scored answer of node under tt in epoch 1.
func (f *fixture) setStats(t testing.TB, tt types.TaskType, node string, bps uint64) {
	t.Helper()
	require.NoError(t, f.k.MinerStats.Set(f.Ctx, collectionsJoin3(1, tt, node),
		types.MinerStats{Epoch: 1, TaskType: tt, NodeId: node, SumBps: bps, Count: 1}))
}

func (f *fixture) pending(t testing.TB, node string) int64 {
	t.Helper()
	res, err := f.q.PendingRewards(f.Ctx, &types.QueryPendingRewardsRequest{NodeId: node})
	require.NoError(t, err)
	return res.Amount.Int64()
}

// The epoch emission is split between the weighted task types by emission_shares: by
// default equally (one miner per type: a third each, rounded down), with shares
// {codegen 0, bugfix 3, context selection 1} a type with share 0 is weighted but unpaid
// and the others get 3/4 and 1/4; a type without miners takes no part.
func TestEmissionShares(t *testing.T) {
	cases := []struct {
		name   string
		shares []types.EmissionShare
		types  []types.TaskType
		want   []int64 // per type, in the order of types
	}{
		{"default: equal", types.DefaultEmissionShares(),
			[]types.TaskType{types.TASK_TYPE_CODEGEN, types.TASK_TYPE_BUGFIX, types.TASK_TYPE_CONTEXT_SELECTION},
			[]int64{3_333_333, 3_333_333, 3_333_333}},
		{"empty list: equal", nil,
			[]types.TaskType{types.TASK_TYPE_BUGFIX, types.TASK_TYPE_CONTEXT_SELECTION}, []int64{5_000_000, 5_000_000}},
		{"3:1, codegen 0", []types.EmissionShare{{TaskType: types.TASK_TYPE_CODEGEN, Share: 0},
			{TaskType: types.TASK_TYPE_BUGFIX, Share: 3}, {TaskType: types.TASK_TYPE_CONTEXT_SELECTION, Share: 1}},
			[]types.TaskType{types.TASK_TYPE_CODEGEN, types.TASK_TYPE_BUGFIX, types.TASK_TYPE_CONTEXT_SELECTION},
			[]int64{0, 7_500_000, 2_500_000}},
		{"3:1, only context selection weighted", []types.EmissionShare{
			{TaskType: types.TASK_TYPE_BUGFIX, Share: 3}, {TaskType: types.TASK_TYPE_CONTEXT_SELECTION, Share: 1}},
			[]types.TaskType{types.TASK_TYPE_CONTEXT_SELECTION}, []int64{10_000_000}},
		{"unlisted type gets nothing", []types.EmissionShare{{TaskType: types.TASK_TYPE_BUGFIX, Share: 2}},
			[]types.TaskType{types.TASK_TYPE_BUGFIX, types.TASK_TYPE_CONTEXT_SELECTION}, []int64{10_000_000, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0)
			p := testParams()
			p.EmissionShares = tc.shares
			require.NoError(t, p.Validate())
			require.NoError(t, f.k.Params.Set(f.Ctx, p))
			f.fundPool(t, 100_000_000)
			for i, tt := range tc.types {
				f.setStats(t, tt, nodeID(i), 7_000)
			}
			require.NoError(t, f.k.CloseEpoch(f.Ctx))
			f.checkInvariants(t)
			for i, tt := range tc.types {
				require.Equal(t, tc.want[i], f.pending(t, nodeID(i)), tt.String())
				ws, err := f.q.Weights(f.Ctx, &types.QueryWeightsRequest{Epoch: 1, TaskType: tt})
				require.NoError(t, err)
				require.Len(t, ws.Weights, 1, "weighted even when unpaid")
			}
		})
	}
}

// A close whose ALLOCATE began before emission shares existed (share set, no share
// weights: how version 1 stored it) finishes paying its share to every weighted type.
func TestLegacyCloseEqualShares(t *testing.T) {
	f := newFixture(t, 0)
	f.fundPool(t, 10_000)
	require.NoError(t, f.k.Epoch.Set(f.Ctx, 2))
	for i, tt := range []types.TaskType{types.TASK_TYPE_BUGFIX, types.TASK_TYPE_CONTEXT_SELECTION} {
		require.NoError(t, f.k.Weights.Set(f.Ctx, collectionsJoin3(1, tt, nodeID(i)), types.Weight{Epoch: 1, TaskType: tt,
			NodeId: nodeID(i), N: 1, Avg: dec("0.5"), Bayesian: dec("0.5"), Weight: sdkmath.LegacyOneDec()}))
	}
	require.NoError(t, f.k.Closes.Set(f.Ctx, 1, types.EpochClose{Epoch: 1, First: 1, Phase: 4, ShareSet: true,
		Share: sdkmath.NewInt(1_000), WeightedTypes: []int32{int32(types.TASK_TYPE_BUGFIX), int32(types.TASK_TYPE_CONTEXT_SELECTION)},
		Miners: []uint64{1, 1}, Sum: sdkmath.LegacyZeroDec(), Total: sdkmath.LegacyZeroDec(), BestWeight: sdkmath.LegacyZeroDec(),
		Allocated: sdkmath.ZeroInt()}))
	f.nextBlock(t)
	require.Equal(t, int64(1_000), f.pending(t, nodeID(0)))
	require.Equal(t, int64(1_000), f.pending(t, nodeID(1)))
	has, err := f.k.Closes.Has(f.Ctx, 1)
	require.NoError(t, err)
	require.False(t, has, "the close finished")
}
