package keeper_test

import (
	"fmt"
	"testing"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// benchNetwork registers n nodes (over n/4 operators), gives each a heartbeat and a few
// task reports in period 1, funds the pool, and returns the fixture at the period's end.
func benchNetwork(b *testing.B, n int) *fixture {
	b.Helper()
	f := newFixtureOn(b, true)
	f.fundPool(b, int64(n)*50*cor)
	for i := range n {
		op := sdk.AccAddress(fmt.Appendf(nil, "bench-operator-%05d", i/4))
		f.register(b, op, nodeID(i))
		if _, err := f.msg.Heartbeat(f.Ctx, &types.MsgHeartbeat{NodeAddress: op.String(), NodeId: nodeID(i)}); err != nil {
			b.Fatal(err)
		}
		if err := f.k.RecordAssignment(f.Ctx, nodeID(i)); err != nil {
			b.Fatal(err)
		}
		if err := f.k.RecordPrecommit(f.Ctx, nodeID(i), true); err != nil {
			b.Fatal(err)
		}
	}
	f.atHeight(61)
	// Commit, as a chain does at the end of every block: iterators over an uncommitted
	// IAVL tree scan every unsaved node, which would charge the benchmark for the setup.
	cms, ok := f.Ctx.MultiStore().(storetypes.CommitMultiStore)
	if !ok {
		b.Fatal("fixture store is not a commit multistore")
	}
	cms.Commit()
	return f
}

// BenchmarkPeriodEndBlock is the heaviest EndBlock of a period end with 10,000 nodes: one
// page of max_settlements_per_block (1,000) nodes scored (scores, level, reputation,
// record, event). The period close itself (the epoch hook) is O(1); the whole settlement
// of 10,000 nodes is 30 such pages (score + entitle + pay) over about 30 blocks.
func BenchmarkPeriodEndBlock(b *testing.B) {
	f := benchNetwork(b, 10_000)
	if err := f.k.ClosePeriod(f.Ctx); err != nil {
		b.Fatal(err)
	}
	// Each iteration runs the first scoring EndBlock on a fresh cache of the same state, so
	// every iteration does the same work.
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ctx, _ := f.Ctx.CacheContext()
		if err := f.k.EndBlocker(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPeriodSettlementFull settles a whole 10,000-node period: every EndBlock until
// the settlement is gone (10 score pages + 10 pay pages). Reported per full settlement.
func BenchmarkPeriodSettlementFull(b *testing.B) {
	f := benchNetwork(b, 10_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ctx, _ := f.Ctx.CacheContext()
		if err := f.k.ClosePeriod(ctx); err != nil {
			b.Fatal(err)
		}
		blocks := 0
		for {
			if err := f.k.EndBlocker(ctx); err != nil {
				b.Fatal(err)
			}
			blocks++
			has, err := f.k.Settlements.Has(ctx, 1)
			if err != nil {
				b.Fatal(err)
			}
			if !has {
				break
			}
		}
		b.ReportMetric(float64(blocks), "blocks")
	}
}
