package keeper_test

import (
	"fmt"
	"testing"

	"github.com/cortnet/cortd/x/audits/types"
)

// BenchmarkEndBlockExpire1000 is one EndBlock that expires 1,000 audits at once (the
// per-block bound set to 1,000): each expiry updates the auditor record, emits an event,
// moves the queue entry, and calls the subject handler in a cached context. Each
// iteration runs on a fresh cache of the same state, as a block does. 100 bonded
// validators.
func BenchmarkEndBlockExpire1000(b *testing.B) {
	const n = 1000
	params := types.DefaultParams()
	params.AuditDeadlineBlocks = 5
	params.MaxQueuePerBlock = n
	powers := make([]int64, 100)
	for i := range powers {
		powers[i] = int64(1 + i%7)
	}
	f := newFixtureWithParams(b, params, powers...)
	for i := range n {
		if _, err := f.k.OpenAudit(f.Ctx, subjectModule, fmt.Sprintf("s%05d", i), nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	ctx := f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + int64(params.AuditDeadlineBlocks))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cache, _ := ctx.CacheContext()
		if err := f.k.EndBlocker(cache); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/audit")
}

// BenchmarkOpenAudit is OpenAudit with 100 bonded validators: one seeded stake-weighted
// draw over the bonded set plus the writes.
func BenchmarkOpenAudit(b *testing.B) {
	powers := make([]int64, 100)
	for i := range powers {
		powers[i] = int64(1 + i%7)
	}
	f := newFixture(b, powers...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := f.k.OpenAudit(f.Ctx, subjectModule, fmt.Sprintf("o%09d", i), nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTally100 is the tally of one fraud vote over 100 bonded validators, all voting.
func BenchmarkTally100(b *testing.B) {
	powers := make([]int64, 100)
	for i := range powers {
		powers[i] = int64(1 + i%7)
	}
	f := newFixture(b, powers...)
	id, err := f.k.OpenAudit(f.Ctx, subjectModule, "t", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	a, _ := f.k.GetAudit(f.Ctx, id)
	if _, err := f.msg.ReportFraud(f.Ctx, &types.MsgReportFraud{Auditor: a.Auditor, AuditId: id, FailedCheck: "x"}); err != nil {
		b.Fatal(err)
	}
	for i := range f.vals {
		opt := types.VOTE_OPTION_YES
		if i%3 == 0 {
			opt = types.VOTE_OPTION_NO
		}
		if _, err := f.msg.VoteFraud(f.Ctx, &types.MsgVoteFraud{Voter: f.op(i).String(), AuditId: id, Option: opt}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.k.ComputeTally(f.Ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}
