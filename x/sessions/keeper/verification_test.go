package keeper_test

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	abci "github.com/cometbft/cometbft/abci/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// c90 has cos 0.90 to east (norm² within 10^-7 of 10^12).
var c90 = []int32{900_000, 435_890, 0, 0}

// sessionMode funds alice and opens a session asking for the given verification mode.
func (f *fixture) sessionMode(t testing.TB, redundancy, quorum uint32, deposit int64, mode types.VerificationMode) uint64 {
	t.Helper()
	f.Fund(t, alice, coins(deposit))
	m := createMsg(redundancy, quorum, deposit)
	m.Verification = mode
	res, err := f.msg.CreateSession(f.Ctx, m)
	require.NoError(t, err)
	return res.SessionId
}

// reveal precommits rs[i] from nodes[i] (the block's EndBlock opens the commit phase),
// then commits them and runs the block that validates.
func (f *fixture) reveal(t testing.TB, id uint64, nodes []string, rs []result) types.Task {
	t.Helper()
	require.Len(t, rs, len(nodes))
	for i, n := range nodes {
		require.NoError(t, f.precommit(id, n, rs[i]))
	}
	f.endBlock(t)
	for i, n := range nodes {
		require.NoError(t, f.commit(id, n, rs[i]))
	}
	f.endBlock(t)
	return f.task(t, id)
}

// TestExactValidatesIdenticalRejectsDiffering: redundancy 4, quorum 3. Three nodes commit
// identical results; the earliest-assigned node commits the same embedding with another
// text. In exact mode the three are VALIDATED and paid, the consensus node is the earliest
// of them, and the differing node is REJECTED with a rejection in its stats. The same
// results in an embedding session all pass (same embeddings): the modes differ exactly
// where they should.
func TestExactValidatesIdenticalRejectsDiffering(t *testing.T) {
	rs := []result{res("Hello?", east...), res("Hello!", east...), res("Hello!", east...), res("Hello!", east...)}
	// Honest nodes draw their own salts: exact mode compares text, embedding and token
	// count, never the salt (res() derives it from the text, so make each one distinct).
	for i := range rs {
		rs[i].salt = append([]byte(nil), rs[i].salt...)
		rs[i].salt[31] = byte(i)
	}

	f := newFixture(t)
	f.addNodes(t, 4, true)
	sid := f.sessionMode(t, 4, 3, 1_000, types.VERIFICATION_MODE_EXACT)
	require.Equal(t, types.VERIFICATION_MODE_EXACT, f.sess(t, sid).Verification)
	id, nodes := f.assignOne(t, sid)
	require.Equal(t, types.VERIFICATION_MODE_EXACT, f.task(t, id).Verification)
	task := f.reveal(t, id, nodes, rs)

	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	require.Equal(t, nodes[1], task.ConsensusNode, "the earliest member of the largest group")
	require.Equal(t, "Hello!", task.ResultText)
	sum := sha256.Sum256([]byte("Hello!"))
	require.Equal(t, sum[:], task.ResultSha256)
	want := []types.AssignmentStatus{types.ASSIGNMENT_STATUS_REJECTED, types.ASSIGNMENT_STATUS_VALIDATED,
		types.ASSIGNMENT_STATUS_VALIDATED, types.ASSIGNMENT_STATUS_VALIDATED}
	for i, a := range task.Assignments {
		require.Equal(t, want[i], a.Status, i)
	}
	require.Equal(t, 3*price, task.Paid.Int64())
	require.Zero(t, f.pending(t, opOf(nodes[0])))
	for _, n := range nodes[1:] {
		require.Equal(t, price, f.pending(t, opOf(n)))
		st := f.nodes.LiveStats(t, f.Base, n)
		require.Equal(t, uint64(1), st.Validated)
		require.Zero(t, st.Rejected)
	}
	st := f.nodes.LiveStats(t, f.Base, nodes[0])
	require.Equal(t, uint64(1), st.Rejected)
	require.Zero(t, st.Validated)
	b := f.escrow(t, sid)
	require.Equal(t, int64(1_000-3*price), b.Free.Int64())
	require.True(t, b.Reserved.IsZero())
	f.checkInvariants(t)

	// the same results judged by embedding similarity: every one passes
	g := newFixture(t)
	g.addNodes(t, 4, true)
	gid := g.sessionMode(t, 4, 3, 1_000, types.VERIFICATION_MODE_EMBEDDING)
	id, nodes = g.assignOne(t, gid)
	task = g.reveal(t, id, nodes, rs)
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	require.Equal(t, 4*price, task.Paid.Int64())
}

// TestExactFailsWithoutQuorum: without quorum identical results the task FAILS, nobody is
// paid and the reservation returns. Results outside the largest group get a rejection in
// their stats; the largest group's members are REJECTED without one (as in embedding
// mode). Among groups of one, the group of the earliest node is the largest.
func TestExactFailsWithoutQuorum(t *testing.T) {
	cases := map[string]struct {
		rs        []result
		quorum    uint32
		noStatIdx []int // members of the largest group
	}{
		"all differ, quorum 2": {[]result{res("a", east...), res("b", east...), res("c", east...)}, 2, []int{0}},
		"two agree, quorum 3":  {[]result{res("a", east...), res("b", north...), res("b", north...)}, 3, []int{1, 2}},
		"tokens differ":        {[]result{res("a", east...), withCT(res("a", east...), 13), withCT(res("a", east...), 14)}, 2, []int{0}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.addNodes(t, 3, true)
			sid := f.sessionMode(t, 3, c.quorum, 300, types.VERIFICATION_MODE_EXACT)
			id, nodes := f.assignOne(t, sid)
			for i := range c.rs {
				c.rs[i].salt = append([]byte(nil), c.rs[i].salt...)
				c.rs[i].salt[31] = byte(i)
			}
			task := f.reveal(t, id, nodes, c.rs)
			require.Equal(t, types.TASK_STATUS_FAILED, task.Status)
			require.Empty(t, task.ConsensusNode)
			require.True(t, task.Paid.IsZero())
			for i, n := range nodes {
				require.Equal(t, types.ASSIGNMENT_STATUS_REJECTED, task.Assignments[i].Status)
				require.Zero(t, f.pending(t, opOf(n)))
				wantStat := uint64(1)
				for _, j := range c.noStatIdx {
					if j == i {
						wantStat = 0
					}
				}
				require.Equal(t, wantStat, f.nodes.LiveStats(t, f.Base, n).Rejected, "node %d", i)
			}
			require.Equal(t, int64(300), f.escrow(t, sid).Free.Int64())
			f.checkInvariants(t)
		})
	}
}

func withCT(r result, ct uint64) result {
	r.ct = ct
	return r
}

// TestExactSeedDrawnWhenZero: on an EXACT session a task without a seed gets the chain's
// seed (ExactSeed of the previous block's hash and the task id), a given seed is kept, and
// an EMBEDDING session leaves seed 0 alone. EventTaskAssigned carries the mode and seed.
func TestExactSeedDrawnWhenZero(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	prev := sha256.Sum256([]byte("previous block"))
	header := f.Ctx.BlockHeader()
	header.LastBlockId.Hash = prev[:]
	f.Ctx = f.Ctx.WithBlockHeader(header)

	exact := f.sessionMode(t, 2, 2, 10_000, types.VERIFICATION_MODE_EXACT)
	embed := f.sessionMode(t, 2, 2, 10_000, types.VERIFICATION_MODE_EMBEDDING)
	submit := func(sid, seed uint64) uint64 {
		m := submitMsg(sid)
		m.Seed = seed
		m.Temperature = sdkmath.LegacyMustNewDecFromStr("0.7")
		r, err := f.msg.SubmitTask(f.Ctx, m)
		require.NoError(t, err)
		return r.TaskId
	}
	drawn := submit(exact, 0)
	kept := submit(exact, 9)
	plain := submit(embed, 0)

	want := types.ExactSeed(prev[:], drawn)
	require.NotZero(t, want)
	require.Equal(t, want, f.task(t, drawn).Sampling.Seed)
	require.NotEqual(t, types.ExactSeed(prev[:], kept), uint64(9))
	require.Equal(t, uint64(9), f.task(t, kept).Sampling.Seed)
	require.Zero(t, f.task(t, plain).Sampling.Seed)
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, f.task(t, plain).Verification)

	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
	f.endBlock(t)
	got := map[uint64]types.EventTaskAssigned{} // looked up by id only, never iterated
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type != "cortd.sessions.v1.EventTaskAssigned" {
			continue
		}
		msg, err := sdk.ParseTypedEvent(abci.Event(ev))
		require.NoError(t, err)
		e := msg.(*types.EventTaskAssigned)
		got[e.TaskId] = *e
	}
	require.Len(t, got, 3, "nodes take several tasks per block")
	require.Equal(t, types.VERIFICATION_MODE_EXACT, got[drawn].Verification)
	require.Equal(t, want, got[drawn].Sampling.Seed)
	require.Equal(t, types.VERIFICATION_MODE_EXACT, got[kept].Verification)
	require.Equal(t, uint64(9), got[kept].Sampling.Seed)
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, got[plain].Verification)
	require.Zero(t, got[plain].Sampling.Seed)
}

// TestCreateSessionResolvesVerification: UNSPECIFIED takes the model's entry, else the
// default; an explicit mode wins over both; the session stores the resolved mode, so a
// later params change does not change it. An out-of-range mode is refused with
// ErrInvalidVerification and changes nothing.
func TestCreateSessionResolvesVerification(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.ModelVerification = []types.ModelVerification{{ModelId: model, Mode: types.VERIFICATION_MODE_EXACT}}
	})
	require.Equal(t, types.VERIFICATION_MODE_EXACT, f.sess(t, f.sessionMode(t, 2, 1, 100, types.VERIFICATION_MODE_UNSPECIFIED)).Verification)
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, f.sess(t, f.sessionMode(t, 2, 1, 100, types.VERIFICATION_MODE_EMBEDDING)).Verification)

	g := newFixture(t)
	sid := g.sessionMode(t, 2, 1, 100, types.VERIFICATION_MODE_UNSPECIFIED)
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, g.sess(t, sid).Verification)
	p, err := g.k.Params.Get(g.Ctx)
	require.NoError(t, err)
	p.DefaultVerification = types.VERIFICATION_MODE_EXACT
	_, err = g.msg.UpdateParams(g.Ctx, &types.MsgUpdateParams{Authority: g.Authority, Params: p})
	require.NoError(t, err)
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, g.sess(t, sid).Verification, "stored resolved")
	require.Equal(t, types.VERIFICATION_MODE_EXACT, g.sess(t, g.sessionMode(t, 2, 1, 100, 0)).Verification)

	for _, bad := range []types.VerificationMode{3, -1, 99} {
		g.Fund(t, alice, coins(100))
		before := g.snapshot(t)
		m := createMsg(2, 1, 100)
		m.Verification = bad
		_, err := g.msg.CreateSession(g.Ctx, m)
		require.ErrorIs(t, err, types.ErrInvalidVerification)
		require.Equal(t, before, g.snapshot(t), "state unchanged")
	}
}

// TestPerModelSimilarityThreshold: the same two embeddings (cos 0.90) validate under the
// global 0.85 and fail under the model's 0.95; an entry for another model changes nothing;
// a model entry below a stricter global threshold lets them pass.
func TestPerModelSimilarityThreshold(t *testing.T) {
	cases := map[string]struct {
		mutate func(*types.Params)
		want   types.TaskStatus
	}{
		"global 0.85": {func(*types.Params) {}, types.TASK_STATUS_VALIDATED},
		"model 0.95": {func(p *types.Params) {
			p.ModelVerification = []types.ModelVerification{{ModelId: model, SimilarityThreshold: sdkmath.LegacyMustNewDecFromStr("0.95")}}
		}, types.TASK_STATUS_FAILED},
		"other model 0.95": {func(p *types.Params) {
			p.ModelVerification = []types.ModelVerification{{ModelId: "other", SimilarityThreshold: sdkmath.LegacyMustNewDecFromStr("0.95")}}
		}, types.TASK_STATUS_VALIDATED},
		"global 0.95, model 0.85": {func(p *types.Params) {
			p.SimilarityThreshold = sdkmath.LegacyMustNewDecFromStr("0.95")
			p.ModelVerification = []types.ModelVerification{{ModelId: model, SimilarityThreshold: sdkmath.LegacyMustNewDecFromStr("0.85")}}
		}, types.TASK_STATUS_VALIDATED},
		"global 0.95": {func(p *types.Params) {
			p.SimilarityThreshold = sdkmath.LegacyMustNewDecFromStr("0.95")
		}, types.TASK_STATUS_FAILED},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, c.mutate)
			f.addNodes(t, 2, true)
			sid := f.session(t, 2, 2, 1_000)
			require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, f.sess(t, sid).Verification)
			id, nodes := f.assignOne(t, sid)
			task := f.reveal(t, id, nodes, []result{res("a", east...), res("b", c90...)})
			require.Equal(t, c.want, task.Status)
			f.checkInvariants(t)
		})
	}
}

// TestVerificationGenesis: sessions and tasks with out-of-range modes and assignments with
// replay scores outside [0, 1] or not in canonical form are refused by genesis validation;
// a session from older state (mode 0) exports, imports and is judged as embedding.
func TestVerificationGenesis(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 1, 1_000)
	id, nodes := f.assignOne(t, sid)
	task := f.reveal(t, id, nodes, []result{res("a", east...), res("b", c90...)})
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())

	mutate := func(m func(*types.GenesisState)) error {
		c, err := f.k.ExportGenesis(f.Ctx)
		require.NoError(t, err)
		m(c)
		return c.Validate()
	}
	require.NoError(t, mutate(func(g *types.GenesisState) { g.Tasks[0].Assignments[0].ReplayScore = "0.500000" }))
	require.NoError(t, mutate(func(g *types.GenesisState) { g.Sessions[0].Verification, g.Tasks[0].Verification = 0, 0 }))
	for name, m := range map[string]func(*types.GenesisState){
		"session mode":       func(g *types.GenesisState) { g.Sessions[0].Verification = 3 },
		"task mode":          func(g *types.GenesisState) { g.Tasks[0].Verification = -2 },
		"replay over 1":      func(g *types.GenesisState) { g.Tasks[0].Assignments[0].ReplayScore = "1.500000" },
		"replay unparsable":  func(g *types.GenesisState) { g.Tasks[0].Assignments[1].ReplayScore = "high" },
		"replay short form":  func(g *types.GenesisState) { g.Tasks[0].Assignments[0].ReplayScore = "0.5" },
		"replay negative":    func(g *types.GenesisState) { g.Tasks[0].Assignments[0].ReplayScore = "-0.100000" },
		"replay 7 decimals?": func(g *types.GenesisState) { g.Tasks[0].Assignments[0].ReplayScore = "0.1234567" },
	} {
		require.ErrorIs(t, mutate(m), types.ErrInvalidGenesis, name)
	}

	// older state: a session and a task stored with mode 0 are judged by embeddings
	g := newFixture(t)
	g.addNodes(t, 2, true)
	old := g.session(t, 2, 2, 1_000)
	s := g.sess(t, old)
	s.Verification = types.VERIFICATION_MODE_UNSPECIFIED
	require.NoError(t, g.k.Sessions.Set(g.Ctx, old, s))
	id = g.submit(t, old)
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, g.task(t, id).Verification)
	g.endBlock(t)
	tk := g.task(t, id)
	tk.Verification = types.VERIFICATION_MODE_UNSPECIFIED
	require.NoError(t, g.k.Tasks.Set(g.Ctx, id, tk))
	got := g.reveal(t, id, assigned(tk), []result{res("a", east...), res("b", c90...)})
	require.Equal(t, types.TASK_STATUS_VALIDATED, got.Status, "different texts, similar embeddings: embedding mode")
}
