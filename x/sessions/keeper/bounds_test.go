package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	modelstypes "github.com/cortnet/cortd/x/models/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// TestDeadlinesBoundedPerBlock: five tasks expire at the same height; with
// max_deadlines_per_block = 2 they end over three blocks, in id order, and nothing strands.
func TestDeadlinesBoundedPerBlock(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxDeadlinesPerBlock = 2 })
	sid := f.session(t, 1, 1, 5*price)
	var ids []uint64
	for range 5 {
		ids = append(ids, f.submit(t, sid))
	}
	f.Ctx = f.Ctx.WithBlockHeight(f.task(t, ids[0]).Deadline)
	for block, want := range []int{2, 4, 5} {
		f.endBlock(t)
		expired := 0
		for _, id := range ids {
			if f.task(t, id).Status == types.TASK_STATUS_EXPIRED {
				expired++
			}
		}
		require.Equal(t, want, expired, "after block %d", block)
		f.checkInvariants(t)
	}
	require.Equal(t, int64(5*price), f.escrow(t, sid).Free.Int64())
}

// TestPruningBoundedPerBlock: with max_prunes_per_block = 1, two tasks ended in the same
// block are pruned in two blocks.
func TestPruningBoundedPerBlock(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxPrunesPerBlock = 1 })
	sid := f.session(t, 1, 1, 2*price)
	a, b := f.submit(t, sid), f.submit(t, sid)
	f.Ctx = f.Ctx.WithBlockHeight(f.task(t, a).Deadline)
	f.endBlock(t) // both expire
	f.Ctx = f.Ctx.WithBlockHeight(f.task(t, a).EndedHeight + testParams().RetentionBlocks)
	f.endBlock(t)
	require.True(t, f.task(t, a).Pruned)
	require.False(t, f.task(t, b).Pruned)
	f.endBlock(t)
	require.True(t, f.task(t, b).Pruned)
	require.NotEmpty(t, f.task(t, b).PromptSha256, "the prompt hash stays")
}

// TestRetiredModelTasksExpire: a queued task whose model is retired finds no candidates
// and expires; new sessions and tasks for the model are refused.
func TestRetiredModelTasksExpire(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 1, 4*price)
	id := f.submit(t, sid)
	_, err := f.nodes.ModelsMsg.RetireModel(f.Ctx, &modelstypes.MsgRetireModel{Sender: f.Authority, Id: model})
	require.NoError(t, err)
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_QUEUED, f.task(t, id).Status)
	_, err = f.msg.SubmitTask(f.Ctx, submitMsg(sid))
	require.ErrorIs(t, err, types.ErrModelUnavailable)
	f.Fund(t, alice, coins(1))
	_, err = f.msg.CreateSession(f.Ctx, createMsg(1, 1, 1))
	require.ErrorIs(t, err, types.ErrModelUnavailable)
	f.Ctx = f.Ctx.WithBlockHeight(f.task(t, id).Deadline)
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_EXPIRED, f.task(t, id).Status)
	require.Equal(t, int64(4*price), f.escrow(t, sid).Free.Int64())
	f.checkInvariants(t)
}
