package keeper_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

func reportMsg(reporter sdk.AccAddress, id uint64, node string) *types.MsgReportUnavailable {
	return &types.MsgReportUnavailable{Reporter: reporter.String(), ChallengeId: id, NodeId: node}
}

func (f *fixture) report(t testing.TB, v int, id uint64, node string) *types.MsgReportUnavailableResponse {
	t.Helper()
	res, err := f.msg.ReportUnavailable(f.Ctx, reportMsg(f.op(v), id, node))
	require.NoError(t, err)
	return res
}

func (f *fixture) unavailability(t testing.TB, node string) *types.QueryUnavailabilityResponse {
	t.Helper()
	res, err := f.q.Unavailability(f.Ctx, &types.QueryUnavailabilityRequest{NodeId: node})
	require.NoError(t, err)
	return res
}

// lastEvent is the attributes of the last event of type typ, as one string.
func (f *fixture) lastEvent(t testing.TB, typ string) string {
	t.Helper()
	evs := f.Ctx.EventManager().Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			out := ""
			for _, a := range evs[i].Attributes {
				out += a.Key + "=" + a.Value + " "
			}
			return out
		}
	}
	t.Fatalf("no %s event", typ)
	return ""
}

// heartbeat keeps the registered miners heartbeating (x/nodes counts a node that missed
// its heartbeats out); a heartbeat too soon is no harm.
func (f *fixture) heartbeat(t testing.TB) {
	t.Helper()
	for i := 0; ; i++ {
		if _, err := f.nodes.Nodes.GetNode(f.Ctx, nodeID(i)); err != nil {
			return
		}
		_, err := f.nodes.NodesMsg.Heartbeat(f.Ctx, &nodestypes.MsgHeartbeat{NodeAddress: minerOp(i).String(), NodeId: nodeID(i),
			LoadedModels: []string{model}})
		if err != nil && !errors.Is(err, nodestypes.ErrHeartbeatTooSoon) {
			t.Fatal(err)
		}
	}
}

// postAll posts from validator v for every available miner (min 1, max 16) and runs
// the invitation block; it returns the challenge.
func (f *fixture) postAll(t testing.TB, v int) types.Challenge {
	t.Helper()
	f.heartbeat(t)
	m := f.postMsg()
	m.Poster, m.MinMiners, m.MaxMiners = f.op(v).String(), 1, 16
	res, err := f.msg.PostChallenge(f.Ctx, m)
	require.NoError(t, err)
	f.nextBlock(t)
	return f.challenge(t, res.ChallengeId)
}

// Who may report whom, and when: a bonded validator's operator, about a node invited to
// a challenge in COMMIT or REVEAL that has not committed; once per reporter and node
// while the report lasts. A refused report changes nothing.
func TestReportUnavailableRules(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c := f.post(t)
	a, b, d := c.Invited[0], c.Invited[1], c.Invited[2]
	f.commit(t, c.Id, b)
	out := nodeID(uninvited(c, 5))
	inviting, err := f.msg.PostChallenge(f.Ctx, func() *types.MsgPostChallenge {
		m := f.postMsg()
		m.Poster = f.op(1).String()
		return m
	}())
	require.NoError(t, err)

	cases := []struct {
		name string
		msg  *types.MsgReportUnavailable
		want error
	}{
		{"bad reporter", &types.MsgReportUnavailable{Reporter: "cor1nope", ChallengeId: c.Id, NodeId: a}, types.ErrInvalidAddress},
		{"challenge 0", reportMsg(f.op(0), 0, a), types.ErrInvalidChallengeID},
		{"empty node id", reportMsg(f.op(0), c.Id, ""), types.ErrInvalidNodeID},
		{"not a validator", reportMsg(stranger, c.Id, a), types.ErrNotBondedValidator},
		{"a miner's operator", reportMsg(minerOp(nodeIndex(d)), c.Id, a), types.ErrNotBondedValidator},
		{"unknown challenge", reportMsg(f.op(0), 99, a), types.ErrChallengeNotFound},
		{"not invited", reportMsg(f.op(0), c.Id, out), types.ErrNotInvited},
		{"committed: it answered", reportMsg(f.op(0), c.Id, b), types.ErrNodeAnswered},
		{"still inviting", reportMsg(f.op(0), inviting.ChallengeId, a), types.ErrWrongStatus},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.rejects(t, tc.want, func() error { _, err := f.msg.ReportUnavailable(f.Ctx, tc.msg); return err })
		})
	}

	p := testParams()
	h := f.Ctx.BlockHeight()
	res := f.report(t, 0, c.Id, a)
	require.Equal(t, h+int64(p.UnavailableSkipBlocks), res.SkipUntilHeight, "one report is enough by default")
	ev := f.lastEvent(t, "cortd.challenges.v1.EventMinerReportedUnavailable")
	require.Contains(t, ev, a)
	f.rejects(t, types.ErrAlreadyReported, func() error { _, err := f.msg.ReportUnavailable(f.Ctx, reportMsg(f.op(0), c.Id, a)); return err })
	f.report(t, 1, c.Id, a) // another validator
	f.report(t, 0, c.Id, d) // another node
	u := f.unavailability(t, a)
	require.Len(t, u.Reports, 2)
	require.True(t, u.Skipped)

	// in REVEAL an uncommitted node may still be reported; from TESTS on, no more
	f.runTo(t, c.CommitEndHeight)
	require.Equal(t, types.CHALLENGE_STATUS_REVEAL, f.challenge(t, c.Id).Status)
	f.report(t, 2, c.Id, a)
	f.runTo(t, c.RevealEndHeight)
	f.rejects(t, types.ErrWrongStatus, func() error { _, err := f.msg.ReportUnavailable(f.Ctx, reportMsg(f.op(1), c.Id, d)); return err })
}

// The skip: with unavailable_min_reports 2 a node reported once is still invited; reported
// by two validators it is skipped until the second-latest report expires
// (unavailable_skip_blocks after it), then invited again; expired reports are pruned and
// the same validator may report the node again.
func TestUnavailableSkipsInvitations(t *testing.T) {
	f := newFixture(t, 4, 10, 10, 10)
	p := testParams()
	p.UnavailableMinReports, p.UnavailableSkipBlocks = 2, 30
	p.MaxChallengesPerPosterPerEpoch = 100
	require.NoError(t, f.k.Params.Set(f.Ctx, p))

	c := f.postAll(t, 0)
	require.Len(t, c.Invited, 4)
	x := c.Invited[0]
	h0 := f.Ctx.BlockHeight()
	require.Zero(t, f.report(t, 0, c.Id, x).SkipUntilHeight, "one report of two needed")
	require.False(t, f.unavailability(t, x).Skipped)
	require.Len(t, f.postAll(t, 1).Invited, 4, "a node reported once is still invited")

	h1 := f.Ctx.BlockHeight()
	require.Equal(t, h0+30, f.report(t, 1, c.Id, x).SkipUntilHeight, "skipped until the older report expires")
	u := f.unavailability(t, x)
	require.True(t, u.Skipped)
	require.Equal(t, h0+30, u.SkipUntilHeight)
	require.Len(t, u.Reports, 2)
	c2 := f.postAll(t, 2)
	require.Len(t, c2.Invited, 3)
	require.NotContains(t, c2.Invited, x, "skipped")
	// the post itself counts the skipped node out
	m := f.postMsg()
	m.MinMiners, m.MaxMiners = 4, 4
	f.rejects(t, types.ErrNotEnoughMiners, func() error { _, err := f.msg.PostChallenge(f.Ctx, m); return err })

	// a third report of another validator moves the skip to the second-latest expiry
	f.runTo(t, h1+5)
	f.report(t, 2, c.Id, x)
	require.Equal(t, h1+30, f.unavailability(t, x).SkipUntilHeight)

	// skipped below h1+30, invited again from there (the draw is in the block after the
	// post: posted at h1+28, drawn at h1+29)
	f.runTo(t, h1+28)
	require.True(t, f.unavailability(t, x).Skipped)
	require.NotContains(t, f.postAll(t, 0).Invited, x)
	require.Equal(t, h1+29, f.Ctx.BlockHeight())
	require.True(t, f.unavailability(t, x).Skipped)
	f.runTo(t, h1+30)
	require.False(t, f.unavailability(t, x).Skipped)
	require.Len(t, f.unavailability(t, x).Reports, 1, "only the third report is still running")
	require.Contains(t, f.postAll(t, 1).Invited, x)

	// pruned at expiry: validator 0's report is gone, so it may report again (on a
	// challenge that invited x and is still in COMMIT)
	n := 0
	require.NoError(t, f.k.Reports.Walk(f.Ctx, nil, func(keeper.ReportKey, types.UnavailableReport) (bool, error) { n++; return false, nil }))
	require.Equal(t, 1, n, "expired reports are pruned")
	last := f.postAll(t, 2)
	require.Contains(t, last.Invited, x)
	f.report(t, 0, last.Id, x)
	require.True(t, f.unavailability(t, x).Skipped, "validators 0 and 2 again")
	f.runTo(t, f.Ctx.BlockHeight()+31)
	require.False(t, f.unavailability(t, x).Skipped)
	n = 0
	require.NoError(t, f.k.Reports.Walk(f.Ctx, nil, func(keeper.ReportKey, types.UnavailableReport) (bool, error) { n++; return false, nil }))
	require.NoError(t, f.k.ReportExpiry.Walk(f.Ctx, nil, func(keeper.ExpiryKey) (bool, error) { n++; return false, nil }))
	require.Zero(t, n, "every report and its expiry index pruned")
}

// Pruning is bounded per block: max_queue_per_block expired reports per EndBlock.
func TestReportPruningIsPaged(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10, 10, 10)
	p := testParams()
	p.MaxQueuePerBlock, p.UnavailableSkipBlocks = 2, 3
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	c := f.postAll(t, 0)
	for v := 0; v < 5; v++ {
		f.report(t, v, c.Id, c.Invited[0])
	}
	count := func() int {
		n := 0
		require.NoError(t, f.k.Reports.Walk(f.Ctx, nil, func(keeper.ReportKey, types.UnavailableReport) (bool, error) { n++; return false, nil }))
		return n
	}
	h := f.Ctx.BlockHeight()
	f.runTo(t, h+2)
	require.Equal(t, 5, count())
	var left []int
	for i := 0; i < 3; i++ {
		f.nextBlock(t)
		left = append(left, count())
	}
	require.Equal(t, []int{3, 1, 0}, left)
	require.False(t, f.unavailability(t, c.Invited[0]).Skipped)
}

// Reports survive an export and import (the expiry index is rebuilt), and genesis
// validation refuses malformed ones.
func TestGenesisUnavailableReports(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c := f.post(t)
	f.report(t, 0, c.Id, c.Invited[0])
	f.report(t, 1, c.Id, c.Invited[0])
	f.report(t, 1, c.Id, c.Invited[1])
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Len(t, gs.UnavailableReports, 3)
	before := f.snapshot()
	f.wipe()
	require.NoError(t, f.k.InitGenesis(f.Ctx, gs))
	require.Equal(t, before.kv, f.snapshot().kv, "the same store after the round trip")
	require.True(t, f.unavailability(t, c.Invited[0]).Skipped)

	bad := func(mut func(r *types.UnavailableReport)) error {
		g := *gs
		g.UnavailableReports = slices.Clone(gs.UnavailableReports)
		mut(&g.UnavailableReports[0])
		return g.Validate()
	}
	require.ErrorIs(t, bad(func(r *types.UnavailableReport) { r.Reporter = "x" }), types.ErrInvalidGenesis)
	require.ErrorIs(t, bad(func(r *types.UnavailableReport) { r.NodeId = "" }), types.ErrInvalidGenesis)
	require.ErrorIs(t, bad(func(r *types.UnavailableReport) { r.ChallengeId = 99 }), types.ErrInvalidGenesis)
	require.ErrorIs(t, bad(func(r *types.UnavailableReport) { r.ExpiresHeight = r.Height }), types.ErrInvalidGenesis)
	require.ErrorIs(t, bad(func(r *types.UnavailableReport) { *r = gs.UnavailableReports[1] }), types.ErrInvalidGenesis, "duplicate")
}
