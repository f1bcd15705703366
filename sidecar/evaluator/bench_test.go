package evaluator

import (
	"context"
	"sync"
	"testing"
	"time"
)

// BenchmarkEvaluatePatch measures evaluator throughput on a small Go repository
// like the e2e's: one op is one revealed patch taken through the static checks,
// the host-side apply and source policy, a fresh sandbox without /proc, the
// build of the test binary with the harness, the key exchange and the hidden
// tests (warm per-challenge build cache, as in the role). Reports patches/min;
// the Parallel2 variant scores two patches at once (--parallel 2).
//
//	go test -run '^$' -bench EvaluatePatch -benchtime 10x ./sidecar/evaluator
func BenchmarkEvaluatePatch(b *testing.B) { benchEvaluate(b, 1) }

func BenchmarkEvaluatePatchParallel2(b *testing.B) { benchEvaluate(b, 2) }

func benchEvaluate(b *testing.B, parallel int) {
	requireSandbox(b)
	ctx := context.Background()
	p := prepareCalc(b, testConfig(b))
	patch := replacePatch("calc.go", buggyCalc, goodCalc)
	b.ResetTimer()
	start := time.Now()
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if o := p.Score(ctx, patch); o.ScoreBps != 10000 {
					b.Errorf("%+v", o)
				}
			}
		}()
	}
	wg.Wait()
	perPatch := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(60/perPatch, "patches/min")
}
