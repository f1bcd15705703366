package keeper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
)

// BenchmarkCloseEpoch: the whole epoch close, unpaged (every page in one call): weight
// computation and emission for 10,000 miners in the window (10 epochs × 1,000 scored
// answers, each by a distinct miner), one task type, on real stores. Each iteration runs
// on a fresh cache of the same state.
func BenchmarkCloseEpoch(b *testing.B) {
	f := closeBenchState(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx, _ := f.Ctx.CacheContext()
		if err := f.k.CloseEpoch(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEpochCloseBlocks: the same close paged by EndBlock at the default
// max_epoch_close_per_block; one op is the whole close over as many blocks as it takes.
// Reported: blocks/op, and the mean and largest EndBlock time (ns/block, max-ns/block).
func BenchmarkEpochCloseBlocks(b *testing.B) {
	f := closeBenchState(b)
	p, err := f.k.Params.Get(f.Ctx)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	var blocks int
	var total, worst time.Duration
	for i := 0; i < b.N; i++ {
		ctx, _ := f.Ctx.CacheContext()
		if err := f.k.Hooks().AfterEpochEnd(ctx, p.EpochIdentifier, 10); err != nil {
			b.Fatal(err)
		}
		for {
			has, err := f.k.Closes.Has(ctx, 10)
			if err != nil {
				b.Fatal(err)
			}
			if !has {
				break
			}
			start := time.Now()
			if err := f.k.EndBlocker(ctx); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			total += d
			worst = max(worst, d)
			blocks++
		}
	}
	b.ReportMetric(float64(blocks)/float64(b.N), "blocks/op")
	b.ReportMetric(float64(total.Nanoseconds())/float64(blocks), "ns/block")
	b.ReportMetric(float64(worst.Nanoseconds()), "max-ns/block")
}

// closeBenchState: 10,000 miners scored over the 10-epoch window, epoch 10 open.
func closeBenchState(b *testing.B) *fixture {
	f := newFixture(b, 0)
	p := testParams()
	p.ScoreWindowEpochs = 10
	require.NoError(b, f.k.Params.Set(f.Ctx, p))
	require.NoError(b, f.k.Epoch.Set(f.Ctx, 10))
	f.fundPool(b, 1_000_000_000)
	for e := uint64(1); e <= 10; e++ {
		for j := 0; j < 1000; j++ {
			node := fmt.Sprintf("node%05d", int(e-1)*1000+j)
			st := types.MinerStats{Epoch: e, TaskType: types.TASK_TYPE_BUGFIX, NodeId: node,
				SumBps: uint64((j * 37) % 10_001), Count: 1}
			require.NoError(b, f.k.MinerStats.Set(f.Ctx, collectionsJoin3(e, types.TASK_TYPE_BUGFIX, node), st))
		}
	}
	return f
}

// BenchmarkComputeWeights: the pure formula for 10,000 miners (k = 2).
func BenchmarkComputeWeights(b *testing.B) {
	totals := make([]keeper.Totals, 10_000)
	for i := range totals {
		totals[i] = keeper.Totals{NodeID: fmt.Sprintf("node%05d", i), SumBps: uint64(i*37%10_001) * 3, Count: 3}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		keeper.ComputeWeights(totals, sdkmath.LegacyOneDec(), 2)
	}
}
