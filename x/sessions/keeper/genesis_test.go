package keeper_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	paymentskeeper "github.com/cortnet/cortd/x/payments/keeper"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// TestGenesisRoundTripRebuildsQueues: export with tasks in every state, import into a
// fresh keeper, and the chain carries on identically (the queues and indexes are rebuilt).
func TestGenesisRoundTripRebuildsQueues(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 1, 10*price*2)
	done, nodes := f.assignOne(t, sid)
	for _, n := range nodes {
		require.NoError(t, f.precommit(done, n, res("x"+n, east...)))
	}
	f.endBlock(t)
	for _, n := range nodes {
		require.NoError(t, f.commit(done, n, res("x"+n, east...)))
	}
	running := f.submit(t, sid)
	f.endBlock(t) // done validates, running is assigned
	queued := f.submit(t, sid)

	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())

	g := newFixture(t)
	g.Ctx = g.Ctx.WithBlockHeight(f.Ctx.BlockHeight())
	require.NoError(t, g.k.InitGenesis(g.Ctx, gs))
	gs2, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, gs2)
	require.Equal(t, queueLen(t, f), queueLen(t, g))
	require.Equal(t, 1, queueLen(t, g))
	q, err := g.q.NodeAssignments(g.Ctx, &types.QueryNodeAssignmentsRequest{NodeId: nodes[0]})
	require.NoError(t, err)
	require.Len(t, q.Tasks, 1)
	require.Equal(t, running, q.Tasks[0].Id)
	require.Equal(t, types.TASK_STATUS_QUEUED, g.task(t, queued).Status)
}

func queueLen(t *testing.T, f *fixture) int {
	t.Helper()
	n := 0
	require.NoError(t, f.k.Queue.Walk(f.Ctx, nil, func(collections.Pair[int64, uint64]) (bool, error) { n++; return false, nil }))
	return n
}

// TestLifecycleConservesEscrow is a property test over random sequences of messages and
// blocks: after every step both invariants hold, and at the end, once every task has
// ended and the session is closed and operators have withdrawn, the balances of owner and
// operators sum to what was minted (no fees exist in these modules).
func TestLifecycleConservesEscrow(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		f := newFixture(t)
		f.addNodes(t, 5, true)
		r := rand.New(rand.NewPCG(seed, 99))
		minted := int64(5_000)
		sid := f.session(t, 3, 2, minted)
		vecs := [][]int32{east, eastNorth, north}
		for step := 0; step < 120; step++ {
			switch r.IntN(5) {
			case 0:
				_, _ = f.msg.SubmitTask(f.Ctx, submitMsg(sid))
			case 1, 2:
				// every assigned node acts at random: precommit, commit, or stay silent
				var keys []collections.Pair[string, uint64]
				require.NoError(t, f.k.NodeTasks.Walk(f.Ctx, nil, func(key collections.Pair[string, uint64]) (bool, error) {
					keys = append(keys, key)
					return false, nil
				}))
				for _, key := range keys {
					id, node := key.K2(), key.K1()
					rs := res("r"+node, vecs[r.IntN(len(vecs))]...)
					if r.IntN(4) > 0 {
						_ = f.precommit(id, node, rs)
						_ = f.commit(id, node, rs)
					}
				}
			default:
				f.endBlock(t)
			}
			f.checkInvariants(t)
		}
		_, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
		require.NoError(t, err)
		for range 100 {
			f.endBlock(t)
		}
		s := f.sess(t, sid)
		require.Equal(t, types.SESSION_STATUS_CLOSED, s.Status, "every task ended (every state has a deadline)")
		require.Positive(t, s.TasksValidated, "seed %d: %+v", seed, s)
		t.Logf("seed %d: submitted %d validated %d failed %d expired %d", seed, s.TasksSubmitted, s.TasksValidated, s.TasksFailed, s.TasksExpired)
		total := f.Balance(alice, denom).Amount.Int64()
		for i := 1; i <= f.nOps; i++ {
			if f.pending(t, opAddr(i)) > 0 {
				_, err := paymentskeeper.NewMsgServerImpl(f.pay).WithdrawPayments(f.Ctx,
					&paymentstypes.MsgWithdrawPayments{Operator: opAddr(i).String()})
				require.NoError(t, err)
			}
			total += f.Balance(opAddr(i), denom).Amount.Int64()
		}
		require.True(t, f.moduleBalance().Amount.IsZero())
		require.Equal(t, minted, total, "seed %d: no ucor created or lost", seed)
		f.checkInvariants(t)
	}
}
