package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// BenchmarkEndBlockAssign1000Queued: 1,000 eligible nodes, 1,000 queued tasks of
// redundancy 3; one EndBlock assigns max_assignments_per_block (100 by default) of them.
// The fixture is rebuilt outside the timer for every iteration.
func BenchmarkEndBlockAssign1000Queued(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b, func(p *types.Params) { *p = types.DefaultParams() })
		f.addNodes(b, 1000, true)
		sid := f.session(b, 3, 2, 1000*3*price)
		for range 1000 {
			f.submit(b, sid)
		}
		b.StartTimer()
		require.NoError(b, f.k.EndBlocker(f.Ctx))
	}
}

// BenchmarkEndBlockIdle: EndBlock with 1,000 queued tasks that cannot be assigned (no
// node serves the model): the cost of trying a page of the queue and sending each task
// to the back. Each iteration is the next block (the queue timeout is raised so nothing
// expires during the run).
func BenchmarkEndBlockIdle1000Queued(b *testing.B) {
	f := newFixture(b, func(p *types.Params) {
		*p = types.DefaultParams()
		p.QueueTimeoutBlocks = 1 << 40
	})
	sid := f.session(b, 3, 2, 1000*3*price)
	for range 1000 {
		f.submit(b, sid)
	}
	b.ResetTimer()
	for b.Loop() {
		require.NoError(b, f.k.EndBlocker(f.Ctx))
		f.Ctx = f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + 1)
	}
}

// BenchmarkPrunePerBlock: one EndBlock pruning max_prunes_per_block (100) validated tasks
// of redundancy 3 with 768-dim embeddings and 2 KiB results.
func BenchmarkPrunePerBlock(b *testing.B) {
	const d = 768
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		f.nodes.RegisterModel(b, f.Base, "big", d, 1_000)
		f.addNodesFor(b, 3, "big")
		f.Fund(b, alice, coins(100*3*price))
		m := createMsg(3, 2, 100*3*price)
		m.ModelId = "big"
		r, err := f.msg.CreateSession(f.Ctx, m)
		require.NoError(b, err)
		emb := make([]int32, d)
		emb[0] = 1_000_000
		text := string(make([]byte, 2048))
		var ids []uint64
		for range 100 {
			ids = append(ids, f.submit(b, r.SessionId))
		}
		f.endBlock(b)
		for _, id := range ids {
			for _, n := range assigned(f.task(b, id)) {
				require.NoError(b, f.precommit(id, n, res(text+n, emb...)))
			}
		}
		f.endBlock(b)
		for _, id := range ids {
			for _, n := range assigned(f.task(b, id)) {
				require.NoError(b, f.commit(id, n, res(text+n, emb...)))
			}
		}
		f.endBlock(b)
		f.Ctx = f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + f.mustParams(b).RetentionBlocks)
		b.StartTimer()
		require.NoError(b, f.k.EndBlocker(f.Ctx))
		b.StopTimer()
		require.True(b, f.task(b, ids[99]).Pruned)
		b.StartTimer()
	}
}

func (f *fixture) mustParams(tb testing.TB) types.Params {
	p, err := f.k.Params.Get(f.Ctx)
	require.NoError(tb, err)
	return p
}

func (f *fixture) addNodesFor(tb testing.TB, n int, modelID string) {
	tb.Helper()
	for range n {
		f.nOps++
		f.nodes.RegisterNode(tb, f.Base, opAddr(f.nOps), nodeID(f.nOps), 2_000, []string{modelID}, []string{modelID})
	}
}

// TestGasPerMessage measures the gas each message consumes in the keeper (store reads
// and writes at the SDK's default KV gas costs; signature and tx-size gas come on top)
// and logs it for the README's table. Run: go test ./x/sessions/keeper -run GasPerMessage -v
func TestGasPerMessage(t *testing.T) {
	const d = 768
	f := newFixture(t)
	f.nodes.RegisterModel(t, f.Base, "big", d, 1_000)
	f.addNodesFor(t, 3, "big")
	emb := make([]int32, d)
	emb[0] = 1_000_000
	text := string(make([]byte, 2048))
	gas := func(name string, fn func() error) {
		f.Ctx = f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		require.NoError(t, fn(), name)
		t.Logf("gas %-40s %d", name, f.Ctx.GasMeter().GasConsumed())
	}
	f.Fund(t, alice, coins(1_000_000))
	m := createMsg(3, 2, 1_000)
	m.ModelId = "big"
	var sid, id uint64
	gas("MsgCreateSession (with deposit)", func() error {
		r, err := f.msg.CreateSession(f.Ctx, m)
		sid = r.GetSessionId()
		return err
	})
	gas("MsgDeposit", func() error {
		_, err := f.msg.Deposit(f.Ctx, &types.MsgDeposit{Sender: alice.String(), SessionId: sid, Amount: m.Deposit})
		return err
	})
	gas("MsgSubmitTask (10-byte prompt)", func() error {
		r, err := f.msg.SubmitTask(f.Ctx, submitMsg(sid))
		id = r.GetTaskId()
		return err
	})
	gas("EndBlock assigning 1 task (3 of 3 nodes)", func() error { return f.k.EndBlocker(f.Ctx) })
	nodes := assigned(f.task(t, id))
	for i, n := range nodes {
		gas("MsgPrecommit #"+string(rune('1'+i)), func() error { return f.precommit(id, n, res(text+n, emb...)) })
	}
	gas("EndBlock opening 1 task's commit phase", func() error { return f.k.EndBlocker(f.Ctx) })
	f.Ctx = f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + 1)
	for i, n := range nodes {
		gas("MsgCommit #"+string(rune('1'+i))+" (768-dim, 2 KiB)", func() error { return f.commit(id, n, res(text+n, emb...)) })
	}
	gas("EndBlock validating 1 task", func() error { return f.k.EndBlocker(f.Ctx) })
	gas("MsgCloseSession (refund)", func() error {
		_, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
		return err
	})
}
