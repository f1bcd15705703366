package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// toTests posts a challenge with 3 invited miners: the first two commit and reveal, the
// third commits and never reveals. It returns at the first height of the tests window.
func (f *fixture) toTests(t testing.TB) (types.Challenge, string, string, string) {
	t.Helper()
	c := f.post(t)
	a, b, d := c.Invited[0], c.Invited[1], c.Invited[2]
	for _, n := range []string{a, b, d} {
		f.commit(t, c.Id, n)
	}
	f.runTo(t, c.CommitEndHeight)
	for _, n := range []string{a, b} {
		_, err := f.msg.RevealPatch(f.Ctx, f.revealMsg(c.Id, n))
		require.NoError(t, err)
	}
	f.runTo(t, c.RevealEndHeight)
	return f.challenge(t, c.Id), a, b, d
}

func (f *fixture) toEvaluating(t testing.TB) (types.Challenge, string, string, string) {
	t.Helper()
	c, a, b, d := f.toTests(t)
	_, err := f.msg.RevealTests(f.Ctx, f.revealTestsMsg(c.Id))
	require.NoError(t, err)
	return f.challenge(t, c.Id), a, b, d
}

func (f *fixture) scoresMsg(i int, id uint64, scores map[string]uint32) *types.MsgSubmitScores {
	m := &types.MsgSubmitScores{Evaluator: f.op(i).String(), ChallengeId: id}
	for n, s := range scores {
		m.Scores = append(m.Scores, types.MinerScore{NodeId: n, ScoreBps: s})
	}
	return m
}

func TestRevealTests(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c := f.post(t)
	f.commit(t, c.Id, c.Invited[0])
	f.runTo(t, c.CommitEndHeight)
	f.rejects(t, types.ErrTooEarly, func() error { _, err := f.msg.RevealTests(f.Ctx, f.revealTestsMsg(c.Id)); return err })
	_, err := f.msg.RevealPatch(f.Ctx, f.revealMsg(c.Id, c.Invited[0]))
	require.NoError(t, err)
	f.runTo(t, c.RevealEndHeight)

	cases := []struct {
		name   string
		mutate func(m *types.MsgRevealTests)
		want   error
	}{
		{"wrong salt", func(m *types.MsgRevealTests) { m.Salt = strings.Repeat("99", 32) }, types.ErrTestsMismatch},
		{"wrong archive hash", func(m *types.MsgRevealTests) { m.TestsSha256 = strings.Repeat("00", 32) }, types.ErrTestsMismatch},
		{"not the poster", func(m *types.MsgRevealTests) { m.Poster = f.op(1).String() }, types.ErrNotPoster},
		{"bad url", func(m *types.MsgRevealTests) { m.TestsUrl = "nope" }, types.ErrInvalidField},
		{"file url", func(m *types.MsgRevealTests) { m.TestsUrl = "file:///etc/shadow" }, types.ErrInvalidField},
		{"loopback url", func(m *types.MsgRevealTests) { m.TestsUrl = "http://127.0.0.1:9090/tests.tar.gz" }, types.ErrInvalidField},
		{"oversize archive", func(m *types.MsgRevealTests) { m.TestsSizeBytes = testParams().MaxTestsBytes + 1 }, types.ErrFieldTooLarge},
		{"unknown challenge", func(m *types.MsgRevealTests) { m.ChallengeId = 42 }, types.ErrChallengeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := f.revealTestsMsg(c.Id)
			tc.mutate(m)
			f.rejects(t, tc.want, func() error { _, err := f.msg.RevealTests(f.Ctx, m); return err })
		})
	}
	before := f.Bank.GetBalance(f.Ctx, f.op(0), denom)
	res, err := f.msg.RevealTests(f.Ctx, f.revealTestsMsg(c.Id))
	require.NoError(t, err)
	c = f.challenge(t, c.Id)
	require.Equal(t, types.CHALLENGE_STATUS_EVALUATING, c.Status)
	require.Equal(t, res.EvaluationEndHeight, c.EvaluationEndHeight)
	require.Equal(t, before.Add(c.Deposit), f.Bank.GetBalance(f.Ctx, f.op(0), denom), "deposit returned")
	f.checkInvariants(t)
	f.rejects(t, types.ErrWrongStatus, func() error { _, err := f.msg.RevealTests(f.Ctx, f.revealTestsMsg(c.Id)); return err })
}

// A poster who misses the tests deadline forfeits the deposit to the community pool; the
// miners' answers stay (unscored, unpenalised).
func TestTestsNotRevealedForfeits(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, _, _ := f.toTests(t)
	poster := f.Bank.GetBalance(f.Ctx, f.op(0), denom)
	f.rejects(t, types.ErrDeadlinePassed, func() error {
		f.at(c.TestsDeadlineHeight)
		defer f.at(c.TestsDeadlineHeight - 1)
		_, err := f.msg.RevealTests(f.Ctx, f.revealTestsMsg(c.Id))
		return err
	})
	f.runTo(t, c.TestsDeadlineHeight)
	c = f.challenge(t, c.Id)
	require.Equal(t, types.CHALLENGE_STATUS_VOID, c.Status)
	require.Equal(t, types.VOID_REASON_TESTS_NOT_REVEALED, c.VoidReason)
	require.False(t, c.DepositReturned)
	require.Equal(t, poster, f.Bank.GetBalance(f.Ctx, f.op(0), denom))
	require.Equal(t, sdk.NewCoins(c.Deposit), f.nodes.Community.Funded)
	require.True(t, f.Bank.GetAllBalances(f.Ctx, moduleAddr).IsZero())
	res, err := f.q.Answers(f.Ctx, &types.QueryAnswersRequest{ChallengeId: c.Id})
	require.NoError(t, err)
	for _, ans := range res.Answers {
		if ans.NodeId == a {
			require.True(t, ans.Revealed)
			require.False(t, ans.Scored)
		}
	}
}

func TestSubmitScoresRejections(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, b, d := f.toEvaluating(t)
	good := map[string]uint32{a: 10_000, b: 5_000}
	_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(0, c.Id, good))
	require.NoError(t, err)

	cases := []struct {
		name string
		msg  func() *types.MsgSubmitScores
		want error
	}{
		{"non-validator", func() *types.MsgSubmitScores {
			m := f.scoresMsg(1, c.Id, good)
			m.Evaluator = stranger.String()
			return m
		}, types.ErrNotBondedValidator},
		{"double", func() *types.MsgSubmitScores { return f.scoresMsg(0, c.Id, good) }, types.ErrAlreadyScored},
		{"over 10000 bps", func() *types.MsgSubmitScores {
			return f.scoresMsg(1, c.Id, map[string]uint32{a: 10_001, b: 0})
		}, types.ErrInvalidScores},
		{"missing a revealed patch", func() *types.MsgSubmitScores {
			return f.scoresMsg(1, c.Id, map[string]uint32{a: 1})
		}, types.ErrInvalidScores},
		{"unrevealed node", func() *types.MsgSubmitScores {
			return f.scoresMsg(1, c.Id, map[string]uint32{a: 1, d: 1})
		}, types.ErrInvalidScores},
		{"duplicate node", func() *types.MsgSubmitScores {
			m := f.scoresMsg(1, c.Id, map[string]uint32{a: 1})
			m.Scores = append(m.Scores, m.Scores[0])
			return m
		}, types.ErrInvalidScores},
		{"unknown challenge", func() *types.MsgSubmitScores { return f.scoresMsg(1, 77, good) }, types.ErrChallengeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.rejects(t, tc.want, func() error { _, err := f.msg.SubmitScores(f.Ctx, tc.msg()); return err })
		})
	}
	t.Run("after the deadline", func(t *testing.T) {
		f.at(c.EvaluationEndHeight)
		f.rejects(t, types.ErrDeadlinePassed, func() error { _, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(1, c.Id, good)); return err })
	})
}

// Three evaluators of equal stake; one inflates. The median is the honest score, the
// liar's disagreement is recorded, the unrevealed answer scores zero.
func TestAggregationOutvotesLiar(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, b, d := f.toEvaluating(t)
	for i, s := range []map[string]uint32{
		{a: 10_000, b: 2_000},
		{a: 9_500, b: 2_500},
		{a: 10_000, b: 10_000}, // inflates b
	} {
		_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(i, c.Id, s))
		require.NoError(t, err)
	}
	f.runTo(t, c.EvaluationEndHeight)
	c = f.challenge(t, c.Id)
	require.Equal(t, types.CHALLENGE_STATUS_SCORED, c.Status)
	res, err := f.q.Answers(f.Ctx, &types.QueryAnswersRequest{ChallengeId: c.Id})
	require.NoError(t, err)
	got := map[string]uint32{}
	for _, ans := range res.Answers {
		require.True(t, ans.Scored)
		got[ans.NodeId] = ans.ScoreBps
	}
	require.Equal(t, map[string]uint32{a: 10_000, b: 2_500, d: 0}, got)

	rec := func(i int) types.EvaluatorRecord {
		r, err := f.q.EvaluatorRecord(f.Ctx, &types.QueryEvaluatorRecordRequest{Evaluator: f.op(i).String()})
		require.NoError(t, err)
		return r.Record
	}
	require.Equal(t, uint64(2), rec(0).Agreed)
	require.Equal(t, uint64(0), rec(0).Disagreed)
	require.Equal(t, uint64(1), rec(2).Disagreed)
	require.Equal(t, c.Id, rec(2).LastDisagreementChallenge)

	// stats of the open epoch: one scored answer each
	st, err := f.k.MinerStats.Get(f.Ctx, collectionsJoin3(1, types.TASK_TYPE_BUGFIX, b))
	require.NoError(t, err)
	require.Equal(t, uint64(2_500), st.SumBps)

	// retention: patch bytes dropped, hashes kept
	f.runTo(t, c.PruneHeight)
	res, err = f.q.Answers(f.Ctx, &types.QueryAnswersRequest{ChallengeId: c.Id})
	require.NoError(t, err)
	for _, ans := range res.Answers {
		require.Empty(t, ans.Patch)
	}
	require.Equal(t, types.Sha256Hex(patchFor(a)), findAnswer(res.Answers, a).PatchSha256)
	require.True(t, f.challenge(t, c.Id).PatchesPruned)
	subs, err := f.q.Submissions(f.Ctx, &types.QuerySubmissionsRequest{ChallengeId: c.Id})
	require.NoError(t, err)
	require.Empty(t, subs.Submissions, "submissions pruned")
	require.Equal(t, uint64(1), rec(2).Disagreed, "records stay")
}

// Fewer evaluators than the quorum (2) → VOID, nothing scored.
func TestQuorumVoids(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, b, _ := f.toEvaluating(t)
	_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(0, c.Id, map[string]uint32{a: 1, b: 1}))
	require.NoError(t, err)
	f.runTo(t, c.EvaluationEndHeight)
	c = f.challenge(t, c.Id)
	require.Equal(t, types.CHALLENGE_STATUS_VOID, c.Status)
	require.Equal(t, types.VOID_REASON_NO_QUORUM, c.VoidReason)
}

// An evaluator that leaves the bonded set before the end does not count.
func TestUnbondedEvaluatorDoesNotCount(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c, a, b, _ := f.toEvaluating(t)
	for i := 0; i < 2; i++ {
		_, err := f.msg.SubmitScores(f.Ctx, f.scoresMsg(i, c.Id, map[string]uint32{a: 1, b: 1}))
		require.NoError(t, err)
	}
	f.Unbond(t, f.vals[1])
	f.runTo(t, c.EvaluationEndHeight)
	require.Equal(t, types.VOID_REASON_NO_QUORUM, f.challenge(t, c.Id).VoidReason)
}

func findAnswer(as []types.Answer, node string) types.Answer {
	for _, a := range as {
		if a.NodeId == node {
			return a
		}
	}
	return types.Answer{}
}

var _ = sdkmath.ZeroInt
