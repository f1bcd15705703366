package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/challenges/types"
)

func TestPostChallenge(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	before := f.Bank.GetBalance(f.Ctx, f.op(0), denom)
	c := f.post(t)
	require.Equal(t, uint64(1), c.Id)
	require.Equal(t, types.CHALLENGE_STATUS_COMMIT, c.Status)
	require.Len(t, c.Invited, 3)
	require.Equal(t, int64(1), c.PostedHeight)
	require.Equal(t, int64(2), c.InviteHeight)
	require.Equal(t, int64(12), c.CommitEndHeight)
	require.Equal(t, int64(17), c.RevealEndHeight)
	require.Equal(t, int64(22), c.TestsDeadlineHeight)
	require.Equal(t, before.Sub(testParams().PostingDeposit), f.Bank.GetBalance(f.Ctx, f.op(0), denom))
	require.Equal(t, testParams().PostingDeposit, f.Bank.GetBalance(f.Ctx, moduleAddr, denom))
	found := false
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type == "cortd.challenges.v1.EventChallengePosted" {
			found = true
		}
	}
	require.True(t, found, "challenge_posted event")
	res, err := f.q.Answers(f.Ctx, &types.QueryAnswersRequest{ChallengeId: 1})
	require.NoError(t, err)
	require.Len(t, res.Answers, 3)
	f.checkInvariants(t)
}

// The invitation is drawn in the block after the post, from the hash of the block that
// holds the post (unknown when the poster signed) and the challenge id only: the same
// inputs give the same miners, another block hash another draw.
func TestInvitationDeterministic(t *testing.T) {
	draw := func(hash byte) []string {
		f := newFixture(t, 8, 10)
		res, err := f.msg.PostChallenge(f.Ctx, f.postMsg())
		require.NoError(t, err)
		f.endBlockWithHash(t, []byte(strings.Repeat(string([]byte{hash}), 32)))
		return f.challenge(t, res.ChallengeId).Invited
	}
	a, b := draw(1), draw(1)
	require.Equal(t, a, b)
	differs := false
	for h := byte(2); h < 10 && !differs; h++ {
		differs = strings.Join(draw(h), ",") != strings.Join(a, ",")
	}
	require.True(t, differs, "the draw ignores the block hash")
}

// Only opted-in nodes with current heartbeats, not operated by the poster, are invited.
func TestInvitationEligibility(t *testing.T) {
	f := newFixture(t, 2, 10)
	f.addMiner(t, 2, false) // not opted in
	// a node operated by the poster
	f.nodes.RegisterNode(t, f.Base, f.op(0), "own", 2_000, []string{model}, []string{model})
	_, err := f.msg.SetOptIn(f.Ctx, &types.MsgSetOptIn{Operator: f.op(0).String(), NodeId: "own", OptIn: true})
	require.NoError(t, err)
	msg := f.postMsg()
	msg.MaxMiners = 4
	res, err := f.msg.PostChallenge(f.Ctx, msg)
	require.NoError(t, err)
	require.Empty(t, res.Invited)
	f.nextBlock(t)
	require.ElementsMatch(t, []string{"n0", "n1"}, f.challenge(t, res.ChallengeId).Invited)

	// 40 blocks later every heartbeat is stale: nobody can be invited.
	f.runTo(t, 45)
	f.rejects(t, types.ErrNotEnoughMiners, func() error { _, err := f.msg.PostChallenge(f.Ctx, f.postMsg()); return err })
}

func TestPostChallengeRejections(t *testing.T) {
	f := newFixture(t, 3, 10, 10)
	long := func(n int) string { return strings.Repeat("x", n) }
	p := testParams()
	cases := []struct {
		name   string
		mutate func(m *types.MsgPostChallenge)
		want   error
	}{
		{"bad poster", func(m *types.MsgPostChallenge) { m.Poster = "cor1bad" }, types.ErrInvalidAddress},
		{"non-validator", func(m *types.MsgPostChallenge) { m.Poster = stranger.String() }, types.ErrNotBondedValidator},
		{"task type", func(m *types.MsgPostChallenge) { m.TaskType = types.TASK_TYPE_UNSPECIFIED }, types.ErrInvalidTaskType},
		{"url without scheme", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "example.org/x" }, types.ErrInvalidField},
		{"oversize url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "https://" + long(int(p.MaxUrlBytes)) }, types.ErrFieldTooLarge},
		// Evaluators and miners download these: nothing that reaches their own host.
		{"file url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "file:///etc/passwd" }, types.ErrInvalidField},
		{"file url with localhost", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "file://localhost/root/.cortd/keyring-file" }, types.ErrInvalidField},
		{"uppercase file scheme", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "FILE:///etc/passwd" }, types.ErrInvalidField},
		{"ftp url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "ftp://example.org/repo.tar.gz" }, types.ErrInvalidField},
		{"loopback url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "http://127.0.0.1:26657/status" }, types.ErrInvalidField},
		{"v6 loopback url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "http://[::1]/x" }, types.ErrInvalidField},
		{"localhost url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "http://localhost:1317/x" }, types.ErrInvalidField},
		{"private url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "http://10.1.2.3/x" }, types.ErrInvalidField},
		{"metadata url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "http://169.254.169.254/latest/meta-data/" }, types.ErrInvalidField},
		{"unspecified url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "http://0.0.0.0/x" }, types.ErrInvalidField},
		{"user info url", func(m *types.MsgPostChallenge) { m.Snapshot.Url = "https://example.org@10.0.0.1/x" }, types.ErrInvalidField},
		{"snapshot sha", func(m *types.MsgPostChallenge) { m.Snapshot.Sha256 = "ABC" }, types.ErrInvalidHash},
		{"oversize snapshot", func(m *types.MsgPostChallenge) { m.Snapshot.SizeBytes = p.MaxSnapshotBytes + 1 }, types.ErrFieldTooLarge},
		{"empty snapshot", func(m *types.MsgPostChallenge) { m.Snapshot.SizeBytes = 0 }, types.ErrInvalidSnapshot},
		{"empty statement", func(m *types.MsgPostChallenge) { m.ProblemStatement = " " }, types.ErrInvalidField},
		{"oversize statement", func(m *types.MsgPostChallenge) { m.ProblemStatement = long(int(p.MaxStatementBytes) + 1) }, types.ErrFieldTooLarge},
		{"too many paths", func(m *types.MsgPostChallenge) {
			m.ContextPaths = nil
			for i := 0; i <= int(p.MaxContextPaths); i++ {
				m.ContextPaths = append(m.ContextPaths, long(i+1))
			}
		}, types.ErrFieldTooLarge},
		{"absolute path", func(m *types.MsgPostChallenge) { m.ContextPaths = []string{"/etc/passwd"} }, types.ErrInvalidField},
		{"dotdot path", func(m *types.MsgPostChallenge) { m.ContextPaths = []string{"a/../../b"} }, types.ErrInvalidField},
		{"oversize path", func(m *types.MsgPostChallenge) { m.ContextPaths = []string{long(int(p.MaxPathBytes) + 1)} }, types.ErrFieldTooLarge},
		{"oversize checklist item", func(m *types.MsgPostChallenge) { m.Checklist = []string{long(int(p.MaxChecklistItemBytes) + 1)} }, types.ErrFieldTooLarge},
		{"oversize test command", func(m *types.MsgPostChallenge) { m.TestCommand = long(int(p.MaxTestCommandBytes) + 1) }, types.ErrFieldTooLarge},
		{"multi-line test command", func(m *types.MsgPostChallenge) { m.TestCommand = "go test\nrm -rf /" }, types.ErrInvalidField},
		{"commitment", func(m *types.MsgPostChallenge) { m.TestsCommitment = "zz" }, types.ErrInvalidHash},
		{"min > max miners", func(m *types.MsgPostChallenge) { m.MinMiners = 3; m.MaxMiners = 2 }, types.ErrInvalidMinerCount},
		{"zero min miners", func(m *types.MsgPostChallenge) { m.MinMiners = 0 }, types.ErrInvalidMinerCount},
		{"too many miners", func(m *types.MsgPostChallenge) { m.MaxMiners = p.MaxMiners + 1 }, types.ErrInvalidMinerCount},
		{"response window", func(m *types.MsgPostChallenge) { m.ResponseWindowBlocks = p.MaxResponseWindowBlocks + 1 }, types.ErrInvalidWindow},
		{"evaluation window", func(m *types.MsgPostChallenge) { m.EvaluationWindowBlocks = 0 }, types.ErrInvalidWindow},
		{"not enough miners", func(m *types.MsgPostChallenge) { m.MinMiners = 4; m.MaxMiners = 4 }, types.ErrNotEnoughMiners},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := f.postMsg()
			tc.mutate(m)
			f.rejects(t, tc.want, func() error { _, err := f.msg.PostChallenge(f.Ctx, m); return err })
		})
	}

	t.Run("unbonded validator", func(t *testing.T) {
		f.Unbond(t, f.vals[1])
		m := f.postMsg()
		m.Poster = f.op(1).String()
		f.rejects(t, types.ErrNotBondedValidator, func() error { _, err := f.msg.PostChallenge(f.Ctx, m); return err })
	})
	t.Run("over the per-epoch limit", func(t *testing.T) {
		f.post(t)
		f.post(t)
		f.rejects(t, types.ErrEpochLimit, func() error { _, err := f.msg.PostChallenge(f.Ctx, f.postMsg()); return err })
		// a new epoch resets the limit
		require.NoError(t, f.k.CloseEpoch(f.Ctx))
		f.post(t)
	})
	t.Run("cannot pay the deposit", func(t *testing.T) {
		g := newFixture(t, 3, 10)
		bal := g.Bank.GetAllBalances(g.Ctx, g.op(0))
		require.NoError(t, g.Bank.SendCoins(g.Ctx, g.op(0), stranger, bal))
		g.rejects(t, types.ErrInsufficientDeposit, func() error { _, err := g.msg.PostChallenge(g.Ctx, g.postMsg()); return err })
	})
}

func TestSetOptIn(t *testing.T) {
	f := newFixture(t, 1, 10)
	f.rejects(t, types.ErrNotNodeOperator, func() error {
		_, err := f.msg.SetOptIn(f.Ctx, &types.MsgSetOptIn{Operator: stranger.String(), NodeId: "n0", OptIn: false})
		return err
	})
	f.rejects(t, types.ErrNodeNotFound, func() error {
		_, err := f.msg.SetOptIn(f.Ctx, &types.MsgSetOptIn{Operator: minerOp(0).String(), NodeId: "nope", OptIn: true})
		return err
	})
	f.rejects(t, types.ErrInvalidAddress, func() error {
		_, err := f.msg.SetOptIn(f.Ctx, &types.MsgSetOptIn{Operator: "x", NodeId: "n0", OptIn: true})
		return err
	})
	_, err := f.msg.SetOptIn(f.Ctx, &types.MsgSetOptIn{Operator: minerOp(0).String(), NodeId: "n0", OptIn: false})
	require.NoError(t, err)
	res, err := f.q.OptedIn(f.Ctx, &types.QueryOptedInRequest{NodeId: "n0"})
	require.NoError(t, err)
	require.False(t, res.OptedIn)
}

var _ = sdk.AccAddress{}
var _ = keepers.NewAddr

// Candidates that disappear between the post and the draw void the challenge and the
// deposit returns; before the draw nobody can commit.
func TestInvitationNotEnoughMinersVoids(t *testing.T) {
	f := newFixture(t, 2, 10)
	before := f.Bank.GetBalance(f.Ctx, f.op(0), denom)
	m := f.postMsg()
	m.MinMiners, m.MaxMiners = 2, 2
	res, err := f.msg.PostChallenge(f.Ctx, m)
	require.NoError(t, err)
	f.rejects(t, types.ErrTooEarly, func() error {
		_, err := f.msg.CommitPatch(f.Ctx, &types.MsgCommitPatch{Sender: minerOp(0).String(), ChallengeId: res.ChallengeId,
			NodeId: "n0", Commitment: commitmentFor("n0")})
		return err
	})
	_, err = f.msg.SetOptIn(f.Ctx, &types.MsgSetOptIn{Operator: minerOp(1).String(), NodeId: "n1", OptIn: false})
	require.NoError(t, err)
	f.nextBlock(t)
	c := f.challenge(t, res.ChallengeId)
	require.Equal(t, types.CHALLENGE_STATUS_VOID, c.Status)
	require.Equal(t, types.VOID_REASON_NOT_ENOUGH_MINERS, c.VoidReason)
	require.Equal(t, before, f.Bank.GetBalance(f.Ctx, f.op(0), denom))
}

// With more opted-in nodes than max_candidate_scan, the scan starts at a seeded point and
// wraps around: over several challenges every node gets invited.
func TestCandidateScanIsFair(t *testing.T) {
	f := newFixture(t, 6, 10)
	p := testParams()
	p.MaxCandidateScan = 2
	p.MaxChallengesPerPosterPerEpoch = 100
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	seen := map[string]bool{}
	for i := 0; i < 30 && len(seen) < 6; i++ {
		m := f.postMsg()
		m.MinMiners, m.MaxMiners = 1, 2
		res, err := f.msg.PostChallenge(f.Ctx, m)
		require.NoError(t, err)
		f.nextBlock(t)
		c := f.challenge(t, res.ChallengeId)
		require.LessOrEqual(t, len(c.Invited), 2)
		for _, id := range c.Invited {
			seen[id] = true
		}
	}
	require.Len(t, seen, 6, "every opted-in node is reachable")
}

// Local networks serve archives from loopback: governance's allow_local_urls admits
// file:// and local hosts, and nothing else changes (other schemes stay refused).
func TestPostChallengeLocalURLsParam(t *testing.T) {
	f := newFixture(t, 3, 10, 10)
	p := testParams()
	p.AllowLocalUrls = true
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	for _, u := range []string{"http://127.0.0.1:8080/repo.tar.gz", "file:///tmp/repo.tar.gz"} {
		m := f.postMsg()
		m.Snapshot.Url = u
		_, err := f.msg.PostChallenge(f.Ctx, m)
		require.NoError(t, err, u)
		require.NoError(t, f.k.CloseEpoch(f.Ctx)) // the per-epoch posting limit
	}
	m := f.postMsg()
	m.Snapshot.Url = "ftp://127.0.0.1/repo.tar.gz"
	f.rejects(t, types.ErrInvalidField, func() error { _, err := f.msg.PostChallenge(f.Ctx, m); return err })
	require.NoError(t, p.Validate())
	require.False(t, types.DefaultParams().AllowLocalUrls, "real networks refuse local URLs by default")
}
