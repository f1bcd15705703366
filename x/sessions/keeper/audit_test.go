package keeper_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	coreheader "cosmossdk.io/core/header"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/audits"
	auditskeeper "github.com/cortnet/cortd/x/audits/keeper"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/models"
	"github.com/cortnet/cortd/x/nodes"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	"github.com/cortnet/cortd/x/payments"
	paymentskeeper "github.com/cortnet/cortd/x/payments/keeper"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	"github.com/cortnet/cortd/x/sessions"
	"github.com/cortnet/cortd/x/sessions/keeper"
	"github.com/cortnet/cortd/x/sessions/types"
)

// auditFixture is the sessions fixture over a real x/staking keeper with bonded
// validators and a real x/audits keeper routed to x/sessions' handler, as in app.go.
type auditFixture struct {
	*fixture
	sb        *keepers.StakingBase
	audits    auditskeeper.Keeper
	auditsMsg auditstypes.MsgServer
	vals      []sdk.ValAddress
}

// newAuditFixture: every validated task is sampled (audit_fraction_bps 10,000) unless
// mutate says otherwise; audits have 10 blocks for the auditor and 10 for the vote.
func newAuditFixture(t testing.TB, mutate func(*types.Params), powers ...int64) *auditFixture {
	t.Helper()
	accounts := keepers.NodesModuleAccounts()
	accounts[paymentstypes.ModuleName] = nil
	sb := keepers.NewStakingBase(t, accounts,
		append(keepers.NodesStoreKeys(), paymentstypes.StoreKey, types.StoreKey, auditstypes.StoreKey),
		nodes.AppModule{}, models.AppModule{}, payments.AppModule{}, sessions.AppModule{}, audits.AppModule{})
	nk := keepers.NewNodes(t, sb.Base, func(p *nodestypes.Params) { p.HeartbeatIntervalBlocks = 1_000_000 })
	nk.RegisterModel(t, sb.Base, model, dim, 1_000)
	pk := paymentskeeper.NewKeeper(sb.Cdc, sb.StoreService(paymentstypes.StoreKey), sb.Bank, sb.Account, sb.Authority)
	require.NoError(t, pk.InitGenesis(sb.Ctx, &paymentstypes.GenesisState{Params: paymentstypes.Params{Denom: denom}}))
	k := keeper.NewKeeper(sb.Cdc, sb.StoreService(types.StoreKey), nk.Models, nk.Nodes, pk, sb.Authority)
	ak := auditskeeper.NewKeeper(sb.Cdc, sb.StoreService(auditstypes.StoreKey), sb.Staking, sb.Authority)
	k.SetAudits(ak)
	ak.SetRouter(auditstypes.NewRouter().AddRoute(types.ModuleName, k.AuditHandler()))
	ags := auditstypes.DefaultGenesis()
	ags.Params.AuditDeadlineBlocks, ags.Params.VotingWindowBlocks = 10, 10
	require.NoError(t, ak.InitGenesis(sb.Ctx, ags))

	gs := types.DefaultGenesis()
	gs.Params = testParams()
	gs.Params.AuditFractionBps = types.BasisPoints
	if mutate != nil {
		mutate(&gs.Params)
	}
	require.NoError(t, gs.Validate())
	require.NoError(t, k.InitGenesis(sb.Ctx, gs))
	f := &fixture{Base: sb.Base, nodes: nk, pay: pk, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k)}
	af := &auditFixture{fixture: f, sb: sb, audits: ak, auditsMsg: auditskeeper.NewMsgServerImpl(ak)}
	if len(powers) == 0 {
		powers = []int64{10, 10, 10}
	}
	af.vals = sb.CreateBondedValidators(t, powers...)
	return af
}

// block runs one block of the three modules in app.go's order (x/audits begin block;
// x/sessions then x/audits end block) and moves to the next height with a fresh header
// hash, so every height has its own seed.
func (f *auditFixture) block(t testing.TB) {
	t.Helper()
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	require.NoError(t, f.audits.EndBlocker(f.Ctx))
	h := f.Ctx.BlockHeight()
	prev := sha256.Sum256([]byte(fmt.Sprintf("block %d", h)))
	cur := sha256.Sum256([]byte(fmt.Sprintf("block %d", h+1)))
	header := f.Ctx.BlockHeader()
	header.Height = h + 1
	header.LastBlockId.Hash = prev[:]
	f.Ctx = f.Ctx.WithBlockHeader(header).WithHeaderInfo(coreheader.Info{Height: h + 1, Hash: cur[:]})
	require.NoError(t, f.audits.BeginBlocker(f.Ctx))
}

// validatedTask runs a fresh redundancy-3, quorum-2 task to VALIDATED with three agreeing
// results and returns its id and nodes (assignment order).
func (f *auditFixture) validatedTask(t testing.TB, sid uint64) (uint64, []string) {
	t.Helper()
	id := f.submit(t, sid)
	f.block(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, task.Status)
	nodes := assigned(task)
	results := []result{res("Hello!", east...), res("Hello there!", eastNorth...), res("Hi!", east...)}
	for i, n := range nodes {
		require.NoError(t, f.precommit(id, n, results[i]))
	}
	f.block(t) // opens the commit phase
	for i, n := range nodes {
		require.NoError(t, f.commit(id, n, results[i]))
	}
	f.block(t)
	require.Equal(t, types.TASK_STATUS_VALIDATED, f.task(t, id).Status)
	return id, nodes
}

// openAudit validates a task and runs the next block, whose draw opens its audit.
func (f *auditFixture) openAudit(t testing.TB, sid uint64) (types.Task, []string, auditstypes.Audit) {
	t.Helper()
	id, nodes := f.validatedTask(t, sid)
	require.Equal(t, types.TASK_AUDIT_STATUS_DRAW_PENDING, f.task(t, id).AuditStatus)
	f.block(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_AUDIT_STATUS_OPEN, task.AuditStatus)
	a, err := f.audits.GetAudit(f.Ctx, task.AuditId)
	require.NoError(t, err)
	require.Equal(t, types.ModuleName, a.SubjectModule)
	require.Equal(t, strconv.FormatUint(id, 10), a.SubjectId)
	require.Equal(t, task.ResultSha256, a.PayloadHash)
	return task, nodes, a
}

func (f *auditFixture) runUntil(t testing.TB, h int64) {
	t.Helper()
	for f.Ctx.BlockHeight() <= h {
		f.block(t)
	}
}

// reportAndVote has the auditor report the named nodes, every validator vote yes (or
// only the auditor, when all is false), and runs blocks until the vote is decided.
func (f *auditFixture) reportAndVote(t testing.TB, a auditstypes.Audit, all bool, named ...string) auditstypes.Audit {
	t.Helper()
	figures := []auditstypes.Figure{{Name: "tolerance", Value: "0.05"}}
	for _, n := range named {
		figures = append(figures, auditstypes.Figure{Name: types.FraudFigureName(n), Value: types.FraudFigureValue(types.AuditCheckEmbedding, "0.731204")})
	}
	_, err := f.auditsMsg.ReportFraud(f.Ctx, &auditstypes.MsgReportFraud{
		Auditor: a.Auditor, AuditId: a.Id, FailedCheck: types.AuditCheckEmbedding, Figures: figures,
	})
	require.NoError(t, err)
	if all {
		for _, v := range f.vals {
			if sdk.AccAddress(v).String() == a.Auditor {
				continue // the report is the auditor's YES vote
			}
			_, err := f.auditsMsg.VoteFraud(f.Ctx, &auditstypes.MsgVoteFraud{
				Voter: sdk.AccAddress(v).String(), AuditId: a.Id, Option: auditstypes.VOTE_OPTION_YES,
			})
			require.NoError(t, err)
		}
	}
	a, err = f.audits.GetAudit(f.Ctx, a.Id)
	require.NoError(t, err)
	f.runUntil(t, a.VotingEndHeight)
	a, err = f.audits.GetAudit(f.Ctx, a.Id)
	require.NoError(t, err)
	require.Empty(t, a.HandlerError)
	return a
}

func (f *auditFixture) checkAllInvariants(t testing.TB) {
	t.Helper()
	f.checkInvariants(t)
	msg, broken := nodeskeeper.AllInvariants(f.nodes.Nodes)(f.Ctx)
	require.False(t, broken, msg)
}

func (f *auditFixture) node(t testing.TB, id string) nodestypes.Node {
	t.Helper()
	n, err := f.nodes.Nodes.GetNode(f.Ctx, id)
	require.NoError(t, err)
	return n
}

// totalHeld sums every balance a session audit could move: the accounts of the actors,
// the payments, nodes and distribution (community pool) module accounts.
func (f *auditFixture) totalHeld(t testing.TB) sdkmath.Int {
	t.Helper()
	sum := f.Balance(alice, denom).Amount
	for i := 1; i <= f.nOps; i++ {
		sum = sum.Add(f.Balance(opAddr(i), denom).Amount)
	}
	for _, m := range []string{paymentstypes.ModuleName, nodestypes.ModuleName, nodestypes.RewardsPoolName, "distribution"} {
		sum = sum.Add(f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(m), denom).Amount)
	}
	return sum
}

// TestAuditSampledDeterministicFraction: the draw is a pure function of (seed, task id,
// bps); 0 never samples, 10,000 always; over 20,000 task ids the sampled share is within
// ±0.5 percentage points of the param; a different block hash samples different tasks.
func TestAuditSampledDeterministicFraction(t *testing.T) {
	seedA := keeper.AuditSeed([]byte("block hash A"))
	seedB := keeper.AuditSeed([]byte("block hash B"))
	require.NotEqual(t, seedA, seedB)
	// the documented rule, recomputed by hand for one task
	manual := sha256.Sum256(append([]byte(types.AuditSeedDomain), []byte("block hash A")...))
	require.Equal(t, manual, seedA)
	var buf [40]byte
	copy(buf[:32], seedA[:])
	binary.BigEndian.PutUint64(buf[32:], 42)
	sum := sha256.Sum256(buf[:])
	draw := binary.BigEndian.Uint64(sum[:8]) % types.BasisPoints
	require.Equal(t, draw < 2500, keeper.AuditSampled(seedA, 42, 2500))
	require.True(t, keeper.AuditSampled(seedA, 42, uint32(draw+1)), "sampled iff draw < bps")
	require.False(t, keeper.AuditSampled(seedA, 42, uint32(draw)), "sampled iff draw < bps")

	for _, bps := range []uint32{100, 1000, 5000} {
		const n = 20_000
		hits, differ := 0, 0
		for id := uint64(1); id <= n; id++ {
			a := keeper.AuditSampled(seedA, id, bps)
			require.Equal(t, a, keeper.AuditSampled(seedA, id, bps), "deterministic")
			if a {
				hits++
			}
			if a != keeper.AuditSampled(seedB, id, bps) {
				differ++
			}
			require.False(t, keeper.AuditSampled(seedA, id, 0))
			require.True(t, keeper.AuditSampled(seedA, id, types.BasisPoints))
		}
		want := n * int(bps) / types.BasisPoints
		require.InDelta(t, want, hits, n/200, "bps %d: %d of %d sampled", bps, hits, n)
		require.Positive(t, differ, "another block hash picks other tasks")
	}
}

// TestSessionAuditSamplingInChain: with 30% sampling, the draw runs one block after the
// task ends; sampled tasks get an open audit, the others NOT_SAMPLED; with 0 nothing is
// queued at all.
func TestSessionAuditSamplingInChain(t *testing.T) {
	f := newAuditFixture(t, func(p *types.Params) { p.AuditFractionBps = 3000 })
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 100_000)
	sampled, total := 0, 30
	for range total {
		id, _ := f.validatedTask(t, sid)
		f.block(t)
		switch s := f.task(t, id).AuditStatus; s {
		case types.TASK_AUDIT_STATUS_OPEN:
			sampled++
		case types.TASK_AUDIT_STATUS_NOT_SAMPLED:
		default:
			t.Fatalf("task %d: audit status %s", id, s)
		}
		f.checkAllInvariants(t)
	}
	require.Greater(t, sampled, 2, "about 9 of 30 expected")
	require.Less(t, sampled, 20, "about 9 of 30 expected")

	g := newAuditFixture(t, func(p *types.Params) { p.AuditFractionBps = 0 })
	g.addNodes(t, 3, true)
	gid, _ := g.validatedTask(t, g.session(t, 3, 2, 1_000))
	g.block(t)
	require.Equal(t, types.TASK_AUDIT_STATUS_UNSPECIFIED, g.task(t, gid).AuditStatus)
	n := 0
	require.NoError(t, g.k.AuditQueue.Walk(g.Ctx, nil, func(_ collections.Pair[int64, uint64]) (bool, error) { n++; return false, nil }))
	require.Zero(t, n)
}

// TestSessionAuditExcludesNodeOperators: the only node on every task is operated by the
// validator holding 99.9% of the stake, so without the exclusion it would audit nearly
// every task; with it the small validator audits them all.
func TestSessionAuditExcludesNodeOperators(t *testing.T) {
	f := newAuditFixture(t, nil, 1000, 1)
	big := sdk.AccAddress(f.vals[0])
	f.nodes.RegisterNode(t, f.Base, big, "node-big", 2_000, []string{model}, []string{model})
	f.Fund(t, alice, coins(100_000))
	sres, err := f.msg.CreateSession(f.Ctx, createMsg(1, 1, 100_000))
	require.NoError(t, err)
	for range 12 {
		id := f.submit(t, sres.SessionId)
		f.block(t)
		r := res("ok", east...)
		_, err := f.msg.Precommit(f.Ctx, &types.MsgPrecommit{Sender: big.String(), TaskId: id, NodeId: "node-big", Hash: r.hash(id, "node-big")})
		require.NoError(t, err)
		f.block(t)
		_, err = f.msg.Commit(f.Ctx, &types.MsgCommit{Sender: big.String(), TaskId: id, NodeId: "node-big", ResultText: r.text,
			Embedding: r.emb, PromptTokens: r.pt, CompletionTokens: r.ct, Salt: r.salt})
		require.NoError(t, err)
		f.block(t)
		f.block(t)
		task := f.task(t, id)
		require.Equal(t, types.TASK_AUDIT_STATUS_OPEN, task.AuditStatus)
		a, err := f.audits.GetAudit(f.Ctx, task.AuditId)
		require.NoError(t, err)
		require.Equal(t, sdk.AccAddress(f.vals[1]).String(), a.Auditor, "task %d", id)
		require.True(t, f.hasEvent("cortd.sessions.v1.EventTaskAuditOpened"))
	}
}

// TestSessionAuditWithoutEligibleAuditorIsSkipped: when every bonded validator operates
// a node on the task, no audit can be opened; the task is SKIPPED and pruned as usual.
func TestSessionAuditWithoutEligibleAuditorIsSkipped(t *testing.T) {
	f := newAuditFixture(t, nil, 10)
	op := sdk.AccAddress(f.vals[0])
	f.nodes.RegisterNode(t, f.Base, op, "node-val", 2_000, []string{model}, []string{model})
	f.Fund(t, alice, coins(1_000))
	sres, err := f.msg.CreateSession(f.Ctx, createMsg(1, 1, 1_000))
	require.NoError(t, err)
	id := f.submit(t, sres.SessionId)
	f.block(t)
	r := res("ok", east...)
	_, err = f.msg.Precommit(f.Ctx, &types.MsgPrecommit{Sender: op.String(), TaskId: id, NodeId: "node-val", Hash: r.hash(id, "node-val")})
	require.NoError(t, err)
	f.block(t)
	_, err = f.msg.Commit(f.Ctx, &types.MsgCommit{Sender: op.String(), TaskId: id, NodeId: "node-val", ResultText: r.text,
		Embedding: r.emb, PromptTokens: r.pt, CompletionTokens: r.ct, Salt: r.salt})
	require.NoError(t, err)
	f.block(t)
	f.block(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_AUDIT_STATUS_SKIPPED, task.AuditStatus)
	require.Zero(t, task.AuditId)
	f.runUntil(t, task.EndedHeight+testParams().RetentionBlocks)
	require.True(t, f.task(t, id).Pruned)
	f.checkAllInvariants(t)
}

// TestOpenAuditDefersPruning: retention (2 blocks) is shorter than the audit deadline
// (10 blocks): the results stay readable through the Task query while the audit is open,
// and are pruned right after it passes.
func TestOpenAuditDefersPruning(t *testing.T) {
	f := newAuditFixture(t, func(p *types.Params) { p.RetentionBlocks = 2 })
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	task, _, a := f.openAudit(t, sid)
	f.runUntil(t, task.EndedHeight+8)
	got := f.task(t, task.Id)
	require.False(t, got.Pruned, "the open audit holds the results")
	require.Equal(t, "Hello!", got.Assignments[0].ResultText)
	require.Equal(t, east, got.Assignments[0].Embedding)
	has, err := f.k.PruneDeferred.Has(f.Ctx, task.Id)
	require.NoError(t, err)
	require.True(t, has)
	f.checkAllInvariants(t)

	_, err = f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id})
	require.NoError(t, err)
	require.Equal(t, types.TASK_AUDIT_STATUS_PASSED, f.task(t, task.Id).AuditStatus)
	f.block(t)
	got = f.task(t, task.Id)
	require.True(t, got.Pruned, "pruned once the audit no longer holds it")
	require.Empty(t, got.Assignments[0].ResultText)
	has, err = f.k.PruneDeferred.Has(f.Ctx, task.Id)
	require.NoError(t, err)
	require.False(t, has)
	f.checkAllInvariants(t)
}

// nodeState is what an audit outcome could change for the nodes: the x/nodes export
// (stakes, levels, stats) and the money.
type nodeState struct {
	nodes    *nodestypes.GenesisState
	payments *paymentstypes.GenesisState
	balances sdkmath.Int
	funded   sdk.Coins
}

func (f *auditFixture) nodeState(t testing.TB) nodeState {
	t.Helper()
	n, err := f.nodes.Nodes.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	p, err := f.pay.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	return nodeState{n, p, f.totalHeld(t), f.nodes.Community.Funded}
}

// TestSessionAuditPassingOutcomesChangeNothing: a pass, a fraud report voted down and a
// missed deadline all leave the nodes' stakes, levels, stats and payments as they were.
func TestSessionAuditPassingOutcomesChangeNothing(t *testing.T) {
	cases := map[string]struct {
		act  func(t *testing.T, f *auditFixture, a auditstypes.Audit, nodes []string)
		want auditstypes.AuditStatus
	}{
		"pass": {func(t *testing.T, f *auditFixture, a auditstypes.Audit, _ []string) {
			_, err := f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id})
			require.NoError(t, err)
		}, auditstypes.AUDIT_STATUS_PASSED},
		"fraud voted down": {func(t *testing.T, f *auditFixture, a auditstypes.Audit, nodes []string) {
			// only the reporter (one third of the stake) votes yes
			f.reportAndVote(t, a, false, nodes[1])
		}, auditstypes.AUDIT_STATUS_CLEARED},
		"missed": {func(t *testing.T, f *auditFixture, a auditstypes.Audit, _ []string) {
			f.runUntil(t, a.DeadlineHeight)
		}, auditstypes.AUDIT_STATUS_MISSED},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newAuditFixture(t, nil)
			f.addNodes(t, 3, true)
			sid := f.session(t, 3, 2, 1_000)
			task, nodes, a := f.openAudit(t, sid)
			before := f.nodeState(t)
			c.act(t, f, a, nodes)
			a, err := f.audits.GetAudit(f.Ctx, a.Id)
			require.NoError(t, err)
			require.Equal(t, c.want, a.Status)
			require.Empty(t, a.HandlerError)
			got := f.task(t, task.Id)
			require.Equal(t, types.TASK_AUDIT_STATUS_PASSED, got.AuditStatus)
			for _, as := range got.Assignments {
				require.Equal(t, types.ASSIGNMENT_STATUS_VALIDATED, as.Status)
			}
			require.Equal(t, task.Paid, got.Paid)
			after := f.nodeState(t)
			require.Equal(t, before.nodes.Nodes, after.nodes.Nodes, "stakes and levels unchanged")
			require.Equal(t, before.nodes.LiveStats, after.nodes.LiveStats, "stats unchanged")
			require.Equal(t, before.payments, after.payments)
			require.Equal(t, before.balances, after.balances)
			require.Equal(t, before.funded, after.funded)
			require.True(t, f.hasEvent("cortd.sessions.v1.EventTaskAuditDecided"))
			f.checkAllInvariants(t)
		})
	}
}

// TestSessionAuditFraudSlashesAndClawsBack: the report names node 2; every validator
// votes yes. Node 2 loses audit_slash_fraction of its stake to the community pool and a
// level, its result is FRAUD, a rejection and a slash are in its period stats, and its
// price leaves its operator's pending payments for the session's free escrow. The other
// nodes are untouched; the invariants hold; no ucor is created or lost.
func TestSessionAuditFraudSlashesAndClawsBack(t *testing.T) {
	f := newAuditFixture(t, nil)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	task, nodes, a := f.openAudit(t, sid)
	bad, good := nodes[1], nodes[0]
	f.nodes.SetLevel(t, f.Base, bad, 4)
	stakeBefore := f.node(t, bad).Stake
	goodBefore := f.node(t, good)
	escrowBefore := f.escrow(t, sid)
	require.Equal(t, price, f.pending(t, opOf(bad)))
	held := f.totalHeld(t)
	statsBefore := f.nodes.LiveStats(t, f.Base, bad)

	a = f.reportAndVote(t, a, true, bad, "node-not-on-task")
	require.Equal(t, auditstypes.AUDIT_STATUS_FRAUD, a.Status)

	got := f.task(t, task.Id)
	require.Equal(t, types.TASK_AUDIT_STATUS_FRAUD, got.AuditStatus)
	require.Equal(t, types.TASK_STATUS_VALIDATED, got.Status)
	for i, as := range got.Assignments {
		want := types.ASSIGNMENT_STATUS_VALIDATED
		if as.NodeId == bad {
			want = types.ASSIGNMENT_STATUS_FRAUD
		}
		require.Equal(t, want, as.Status, "assignment %d", i)
	}
	require.Equal(t, task.Paid.SubRaw(price), got.Paid)

	// x/nodes: 10% of the stake to the community pool, one level down, history
	slashed := stakeBefore.QuoRaw(10)
	require.Equal(t, stakeBefore.Sub(slashed), f.node(t, bad).Stake)
	require.Equal(t, sdk.NewCoins(sdk.NewCoin(denom, slashed)), f.nodes.Community.Funded)
	require.Equal(t, uint32(3), f.node(t, bad).Level)
	st := f.nodes.LiveStats(t, f.Base, bad)
	require.Equal(t, statsBefore.Slashes+1, st.Slashes)
	require.Equal(t, statsBefore.Rejected+1, st.Rejected)
	require.Equal(t, goodBefore, f.node(t, good))

	// x/payments: the price moved from pending back to the session
	require.Zero(t, f.pending(t, opOf(bad)))
	require.Equal(t, price, f.pending(t, opOf(good)))
	b := f.escrow(t, sid)
	require.Equal(t, escrowBefore.Free.AddRaw(price), b.Free)
	require.Equal(t, escrowBefore.Paid.SubRaw(price), b.Paid)
	require.True(t, f.hasEvent("cortd.payments.v1.EventPaymentClawedBack"))
	require.True(t, f.hasEvent("cortd.nodes.v1.EventNodeSlashed"))
	require.True(t, f.hasEvent("cortd.sessions.v1.EventTaskAuditDecided"))

	// conservation: the slash moved from the nodes account to the community pool
	require.Equal(t, held, f.totalHeld(t))
	f.checkAllInvariants(t)
}

// TestSessionAuditFraudAfterWithdrawalAndClose: the fraudulent node's operator withdrew
// its payment and the session closed before the vote ended. The stake is still slashed;
// nothing can be clawed back (reported as unrecovered); the closed session's escrow
// stays empty. A second case: not withdrawn, session closed: the clawed-back price is
// refunded to the owner at once (no escrow stranded in a closed session).
func TestSessionAuditFraudAfterWithdrawalAndClose(t *testing.T) {
	for _, withdrawn := range []bool{true, false} {
		t.Run(fmt.Sprintf("withdrawn=%v", withdrawn), func(t *testing.T) {
			f := newAuditFixture(t, nil)
			f.addNodes(t, 3, true)
			sid := f.session(t, 3, 2, 1_000)
			task, nodes, a := f.openAudit(t, sid)
			bad := nodes[2]
			if withdrawn {
				_, err := paymentskeeper.NewMsgServerImpl(f.pay).WithdrawPayments(f.Ctx, &paymentstypes.MsgWithdrawPayments{Operator: opOf(bad).String()})
				require.NoError(t, err)
			}
			_, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
			require.NoError(t, err)
			require.Equal(t, types.SESSION_STATUS_CLOSED, f.sess(t, sid).Status)
			aliceBefore := f.Balance(alice, denom).Amount
			held := f.totalHeld(t)
			stake := f.node(t, bad).Stake

			a = f.reportAndVote(t, a, true, bad)
			require.Equal(t, auditstypes.AUDIT_STATUS_FRAUD, a.Status)
			require.True(t, f.node(t, bad).Stake.LT(stake), "slashed either way")
			got := f.task(t, task.Id)
			b := f.escrow(t, sid)
			require.True(t, b.Free.IsZero(), "a closed session holds nothing")
			if withdrawn {
				require.Equal(t, aliceBefore, f.Balance(alice, denom).Amount)
				require.Equal(t, task.Paid, got.Paid, "nothing recovered")
			} else {
				require.Equal(t, aliceBefore.AddRaw(price), f.Balance(alice, denom).Amount)
				require.Zero(t, f.pending(t, opOf(bad)))
				require.Equal(t, task.Paid.SubRaw(price), got.Paid)
			}
			require.Equal(t, held, f.totalHeld(t))
			f.checkAllInvariants(t)
		})
	}
}

// TestAuditHandlerRejects: an unknown task id, a malformed subject, and a task that is
// not under this audit are refused with an error and change nothing.
func TestAuditHandlerRejects(t *testing.T) {
	f := newAuditFixture(t, nil)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	task, nodes, a := f.openAudit(t, sid)
	h := f.k.AuditHandler()
	fraud := a
	fraud.Report = &auditstypes.FraudReport{FailedCheck: "embedding", Figures: []auditstypes.Figure{{Name: types.FraudFigureName(nodes[0]), Value: "embedding:1.0"}}}
	before := f.snapshot(t)
	nBefore := f.nodeState(t)
	for name, c := range map[string]struct {
		subject string
		id      uint64
		err     error
	}{
		"unknown task":  {"999", a.Id, types.ErrTaskNotFound},
		"not a number":  {"abc", a.Id, types.ErrTaskNotFound},
		"leading zero":  {"0" + strconv.FormatUint(task.Id, 10), a.Id, types.ErrTaskNotFound},
		"other audit":   {strconv.FormatUint(task.Id, 10), a.Id + 100, types.ErrNotAudited},
		"task id zero":  {"0", a.Id, types.ErrTaskNotFound},
		"negative task": {"-1", a.Id, types.ErrTaskNotFound},
	} {
		bad := fraud
		bad.SubjectId, bad.Id = c.subject, c.id
		require.ErrorIs(t, h(f.Ctx, bad, auditstypes.OUTCOME_FRAUD), c.err, name)
		require.Equal(t, before, f.snapshot(t), name)
		require.Equal(t, nBefore, f.nodeState(t), name)
	}
	// a task that was never audited
	other, _ := f.validatedTask(t, sid)
	bad := fraud
	bad.SubjectId = strconv.FormatUint(other, 10)
	before = f.snapshot(t)
	require.ErrorIs(t, h(f.Ctx, bad, auditstypes.OUTCOME_PASS), types.ErrNotAudited)
	require.Equal(t, before, f.snapshot(t))
}

// TestSessionAuditGenesisRoundTrip: tasks waiting for their draw and tasks under audit
// survive an export/import; the draw queue is rebuilt and pruning still defers.
func TestSessionAuditGenesisRoundTrip(t *testing.T) {
	f := newAuditFixture(t, nil)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	open, _, _ := f.openAudit(t, sid)
	pendingID, _ := f.validatedTask(t, sid)
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())

	g := newAuditFixture(t, nil)
	require.NoError(t, g.k.InitGenesis(g.Ctx, gs))
	again, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)
	has, err := g.k.AuditQueue.Has(g.Ctx, collections.Join(f.task(t, pendingID).EndedHeight+1, pendingID))
	require.NoError(t, err)
	require.True(t, has, "the draw queue is rebuilt")
	require.Equal(t, types.TASK_AUDIT_STATUS_OPEN, g.task(t, open.Id).AuditStatus)

	// genesis validation of the audit fields
	broken := *gs
	broken.Tasks = append([]types.Task(nil), gs.Tasks...)
	for i := range broken.Tasks {
		if broken.Tasks[i].Id == open.Id {
			broken.Tasks[i].AuditId = 0
		}
	}
	require.ErrorIs(t, broken.Validate(), types.ErrInvalidGenesis)
}
