package evaluator

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkEvaluatePatch measures evaluator throughput on a small Go repository
// like the e2e's: one op is one revealed patch taken through the static checks,
// a fresh sandbox, git apply, the hidden tests and `go test -json` (warm
// per-challenge build cache, as in the role). Reports patches/min.
//
//	go test -run '^$' -bench EvaluatePatch -benchtime 10x ./sidecar/evaluator
func BenchmarkEvaluatePatch(b *testing.B) {
	requireSandbox(b)
	ctx := context.Background()
	e, err := New(testConfig(b))
	require.NoError(b, err)
	p, err := e.Prepare(ctx, calcChallenge(b))
	require.NoError(b, err)
	defer p.Close()
	patch := replacePatch("calc.go", buggyCalc, goodCalc)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		o := p.Score(ctx, patch)
		if o.ScoreBps != 10000 {
			b.Fatalf("%+v", o)
		}
	}
	perPatch := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(60/perPatch, "patches/min")
}
