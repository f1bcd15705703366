package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/sessions/keeper"
	"github.com/cortnet/cortd/x/sessions/types"
)

// invariantFixture has one session (redundancy 2) with a task in its precommit phase,
// assigned to two of three nodes: the invariants hold.
func invariantFixture(t *testing.T) (*fixture, uint64, uint64) {
	t.Helper()
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 2, 1, 10*2*price)
	tid, _ := f.assignOne(t, sid)
	f.checkInvariants(t)
	return f, sid, tid
}

func TestReservationInvariantCatches(t *testing.T) {
	cases := map[string]func(t *testing.T, f *fixture, sid, tid uint64){
		"task reservation changed": func(t *testing.T, f *fixture, _, tid uint64) {
			task := f.task(t, tid)
			task.Reserved = task.Reserved.AddRaw(1)
			require.NoError(t, f.k.Tasks.Set(f.Ctx, tid, task))
		},
		"escrow reserved without a task": func(t *testing.T, f *fixture, sid, _ uint64) {
			require.NoError(t, f.pay.Reserve(f.Ctx, sid, sdkmath.NewInt(price)))
		},
		"running counter off": func(t *testing.T, f *fixture, sid, _ uint64) {
			s := f.sess(t, sid)
			s.Running++
			require.NoError(t, f.k.Sessions.Set(f.Ctx, sid, s))
		},
		"queued counter off": func(t *testing.T, f *fixture, sid, _ uint64) {
			s := f.sess(t, sid)
			s.Queued++
			require.NoError(t, f.k.Sessions.Set(f.Ctx, sid, s))
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			f, sid, tid := invariantFixture(t)
			breakIt(t, f, sid, tid)
			msg, broken := keeper.ReservationInvariant(f.k)(f.Ctx)
			require.True(t, broken, msg)
			require.Contains(t, msg, "session")
			_, broken = keeper.AllInvariants(f.k)(f.Ctx)
			require.True(t, broken)
		})
	}
}

func TestAuditInvariantCatches(t *testing.T) {
	cases := map[string]func(t *testing.T, f *fixture, tid uint64){
		"draw queue entry without a pending draw": func(t *testing.T, f *fixture, tid uint64) {
			require.NoError(t, f.k.AuditQueue.Set(f.Ctx, collections.Join(f.Ctx.BlockHeight(), tid)))
		},
		"pending draw without its queue entry": func(t *testing.T, f *fixture, tid uint64) {
			task := f.task(t, tid)
			task.AuditStatus = types.TASK_AUDIT_STATUS_DRAW_PENDING
			require.NoError(t, f.k.Tasks.Set(f.Ctx, tid, task))
		},
		"deferred prune of a pruned task": func(t *testing.T, f *fixture, tid uint64) {
			task := f.task(t, tid)
			task.Pruned = true
			require.NoError(t, f.k.Tasks.Set(f.Ctx, tid, task))
			require.NoError(t, f.k.PruneDeferred.Set(f.Ctx, tid))
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			f, _, tid := invariantFixture(t)
			breakIt(t, f, tid)
			msg, broken := keeper.AuditInvariant(f.k)(f.Ctx)
			require.True(t, broken, msg)
			_, broken = keeper.AllInvariants(f.k)(f.Ctx)
			require.True(t, broken)
		})
	}
}
