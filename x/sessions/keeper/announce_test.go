package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	abci "github.com/cometbft/cometbft/abci/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// commitPhases returns the EventCommitPhase events emitted since the event manager was
// last reset, decoded.
func (f *fixture) commitPhases(t *testing.T) []types.EventCommitPhase {
	t.Helper()
	var out []types.EventCommitPhase
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type != "cortd.sessions.v1.EventCommitPhase" {
			continue
		}
		msg, err := sdk.ParseTypedEvent(abci.Event(ev))
		require.NoError(t, err)
		out = append(out, *msg.(*types.EventCommitPhase))
	}
	return out
}

func (f *fixture) noCommitOpenings(t *testing.T) bool {
	t.Helper()
	it, err := f.k.Precommitted.Iterate(f.Ctx, nil)
	require.NoError(t, err)
	defer it.Close()
	return !it.Valid()
}

func (f *fixture) resetEvents() { f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager()) }

// TestCommitPhaseAnnouncedInEndBlock: a commit phase opened by a tx (the last precommit)
// and one opened at a precommit deadline (quorum met, one node silent) are both announced
// in their block's EndBlock, each naming the nodes expected to reveal, and nothing of it
// is left in state once the block ends.
func TestCommitPhaseAnnouncedInEndBlock(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)

	// Opened by a tx: every node precommits.
	byTx, nodes := f.assignOne(t, sid)
	f.resetEvents()
	for _, n := range nodes {
		require.NoError(t, f.precommit(byTx, n, res("a", east...)))
	}
	require.Empty(t, f.commitPhases(t), "not announced inside the tx")
	h := f.Ctx.BlockHeight()
	f.endBlock(t)
	got := f.commitPhases(t)
	require.Len(t, got, 1)
	require.Equal(t, byTx, got[0].TaskId)
	require.ElementsMatch(t, nodes, got[0].NodeIds)
	require.Equal(t, f.task(t, byTx).Deadline, got[0].CommitDeadline)
	require.True(t, f.noCommitOpenings(t), "the block's openings are forgotten once announced (height %d)", h)

	// Opened at the precommit deadline: the silent node is not expected to reveal.
	byDeadline, nodes := f.assignOne(t, sid)
	require.NoError(t, f.precommit(byDeadline, nodes[0], res("a", east...)))
	require.NoError(t, f.precommit(byDeadline, nodes[1], res("a", east...)))
	deadline := f.task(t, byDeadline).Deadline
	for f.Ctx.BlockHeight() < deadline {
		f.endBlock(t)
	}
	f.resetEvents()
	f.endBlock(t)
	got = f.commitPhases(t)
	require.Len(t, got, 1)
	require.Equal(t, byDeadline, got[0].TaskId)
	require.ElementsMatch(t, nodes[:2], got[0].NodeIds)
	require.Equal(t, types.TASK_STATUS_COMMIT, f.task(t, byDeadline).Status)
	require.True(t, f.noCommitOpenings(t))
	f.checkInvariants(t)
}

// TestLastPrecommitOpensTheCommitPhaseInEndBlock: the EndBlock of the block that carried
// a task's last precommit opens its commit phase. A reveal in that block is refused and
// changes nothing, and the last precommit costs about what the first did: it used to
// open the phase itself and paid ~45 % more gas, so a miner whose simulation ran before
// the other miners' precommits ran out of gas in the block.
func TestLastPrecommitOpensTheCommitPhaseInEndBlock(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	id, nodes := f.assignOne(t, sid)
	f.resetEvents()
	r := res("a", east...)
	var gas []uint64
	for _, n := range nodes {
		f.Ctx = f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		require.NoError(t, f.precommit(id, n, r))
		gas = append(gas, f.Ctx.GasMeter().GasConsumed())
	}
	require.LessOrEqual(t, gas[2], gas[0]*115/100, "the last precommit's gas %d against the first's %d", gas[2], gas[0])
	before := f.snapshot(t)
	require.ErrorIs(t, f.commit(id, nodes[0], r), types.ErrWrongPhase, "no reveal in the block of the last precommit")
	require.Equal(t, before, f.snapshot(t))
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, f.task(t, id).Status)

	h := f.Ctx.BlockHeight()
	f.endBlock(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_COMMIT, task.Status)
	require.Equal(t, h+testParams().CommitWindowBlocks, task.Deadline)
	got := f.commitPhases(t)
	require.Len(t, got, 1)
	require.Equal(t, task.Deadline, got[0].CommitDeadline)
	require.True(t, f.noCommitOpenings(t))
	for _, n := range nodes {
		require.NoError(t, f.commit(id, n, r))
	}
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_VALIDATED, f.task(t, id).Status)
	f.checkInvariants(t)
}
