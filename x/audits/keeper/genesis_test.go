package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/audits/types"
)

// buildState leaves audits in every status: pending, voting (with votes), passed, fraud,
// cleared, missed.
func buildState(t *testing.T) *fixture {
	params := types.DefaultParams()
	params.AuditDeadlineBlocks = 20
	params.VotingWindowBlocks = 15
	f := newFixtureWithParams(t, params, 2, 1, 1)
	passed := f.open(t, "passed", f.ops(1, 2)...)
	_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: passed})
	require.NoError(t, err)
	f.open(t, "missed")
	fraud := f.reportBy(t, "fraud", 0)
	f.vote(t, 1, fraud, types.VOTE_OPTION_YES)
	f.reportBy(t, "cleared", 2)
	f.runTo(t, 17) // the first two votes (opened at 1, end 16) are decided; "missed" (deadline 21) still pending
	f.open(t, "pending")
	voting := f.reportBy(t, "voting", 1)
	f.vote(t, 0, voting, types.VOTE_OPTION_NO)
	f.runTo(t, 22) // "missed" expires at 21; "voting" runs to 32
	return f
}

func TestGenesisRoundTrip(t *testing.T) {
	f := buildState(t)
	exported, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	statuses := map[types.AuditStatus]int{}
	for _, a := range exported.Audits {
		statuses[a.Status]++
	}
	require.Equal(t, map[types.AuditStatus]int{
		types.AUDIT_STATUS_PASSED: 1, types.AUDIT_STATUS_MISSED: 1, types.AUDIT_STATUS_FRAUD: 1,
		types.AUDIT_STATUS_CLEARED: 1, types.AUDIT_STATUS_PENDING: 1, types.AUDIT_STATUS_VOTING: 1,
	}, statuses)
	require.NotEmpty(t, exported.Votes)
	require.NotEmpty(t, exported.AuditorRecords)

	g := newFixtureWithParams(t, exported.Params, 2, 1, 1)
	g.Ctx = g.Ctx.WithBlockHeight(f.Ctx.BlockHeight())
	require.NoError(t, g.k.InitGenesis(g.Ctx, exported))
	again, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	// the queue and indexes are rebuilt exactly
	fs, gs := f.snapshot(t), g.snapshot(t)
	require.Equal(t, fs.queue, gs.queue)
	require.Equal(t, fs.open, gs.open)

	// and the imported chain goes on: the open audits close on schedule
	g.runTo(t, g.Ctx.BlockHeight()+30)
	open, err := g.q.OpenAudits(g.Ctx, &types.QueryOpenAuditsRequest{})
	require.NoError(t, err)
	require.Empty(t, open.Audits)
}

func TestGenesisValidate(t *testing.T) {
	f := buildState(t)
	good, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, types.DefaultGenesis().Validate())
	find := func(gs *types.GenesisState, st types.AuditStatus) *types.Audit {
		for i := range gs.Audits {
			if gs.Audits[i].Status == st {
				return &gs.Audits[i]
			}
		}
		t.Fatalf("no %s audit", st)
		return nil
	}
	cases := map[string]func(gs *types.GenesisState){
		"bad params":         func(gs *types.GenesisState) { gs.Params.MaxQueuePerBlock = 0 },
		"next id zero":       func(gs *types.GenesisState) { gs.NextAuditId = 0 },
		"id not below next":  func(gs *types.GenesisState) { gs.NextAuditId = 2 },
		"duplicate audit":    func(gs *types.GenesisState) { gs.Audits = append(gs.Audits, gs.Audits[0]) },
		"bad subject":        func(gs *types.GenesisState) { gs.Audits[0].SubjectId = "a b" },
		"bad auditor":        func(gs *types.GenesisState) { gs.Audits[0].Auditor = "x" },
		"auditor mismatch":   func(gs *types.GenesisState) { gs.Audits[0].Auditor = stranger.String() },
		"short seed":         func(gs *types.GenesisState) { gs.Audits[0].Seed = []byte{1} },
		"unspecified status": func(gs *types.GenesisState) { gs.Audits[0].Status = types.AUDIT_STATUS_UNSPECIFIED },
		"pending with report": func(gs *types.GenesisState) {
			find(gs, types.AUDIT_STATUS_PENDING).Report = &types.FraudReport{FailedCheck: "x"}
		},
		"voting without end":   func(gs *types.GenesisState) { find(gs, types.AUDIT_STATUS_VOTING).VotingEndHeight = 0 },
		"fraud without tally":  func(gs *types.GenesisState) { find(gs, types.AUDIT_STATUS_FRAUD).Tally = nil },
		"tally disagrees":      func(gs *types.GenesisState) { find(gs, types.AUDIT_STATUS_CLEARED).Tally.Fraud = true },
		"passed without prune": func(gs *types.GenesisState) { find(gs, types.AUDIT_STATUS_PASSED).PruneHeight = 0 },
		"two open for subject": func(gs *types.GenesisState) {
			p := find(gs, types.AUDIT_STATUS_PENDING)
			v := find(gs, types.AUDIT_STATUS_VOTING)
			p.SubjectId = v.SubjectId
		},
		"vote on unknown audit": func(gs *types.GenesisState) { gs.Votes[0].AuditId = 999 },
		"vote on pending audit": func(gs *types.GenesisState) { gs.Votes[0].AuditId = find(gs, types.AUDIT_STATUS_PENDING).Id },
		"duplicate vote":        func(gs *types.GenesisState) { gs.Votes = append(gs.Votes, gs.Votes[0]) },
		"bad vote option":       func(gs *types.GenesisState) { gs.Votes[0].Option = types.VOTE_OPTION_UNSPECIFIED },
		"duplicate record":      func(gs *types.GenesisState) { gs.AuditorRecords = append(gs.AuditorRecords, gs.AuditorRecords[0]) },
		"bad record address":    func(gs *types.GenesisState) { gs.AuditorRecords[0].Auditor = "nope" },
		"audit id zero":         func(gs *types.GenesisState) { gs.Audits[0].Id = 0 },
		"bad subject module":    func(gs *types.GenesisState) { gs.Audits[0].SubjectModule = "no-dash" },
		"short payload hash":    func(gs *types.GenesisState) { gs.Audits[0].PayloadHash = []byte{1, 2} },
		"bad auditor validator": func(gs *types.GenesisState) { gs.Audits[0].AuditorValidator = "x" },
		"deadline at opening":   func(gs *types.GenesisState) { gs.Audits[0].DeadlineHeight = gs.Audits[0].OpenedHeight },
		"long handler error": func(gs *types.GenesisState) {
			gs.Audits[0].HandlerError = strings.Repeat("e", types.MaxHandlerErrorLen+1)
		},
		"bad report check": func(gs *types.GenesisState) { find(gs, types.AUDIT_STATUS_VOTING).Report.FailedCheck = "a b" },
		"bad voter":        func(gs *types.GenesisState) { gs.Votes[0].Voter = "nope" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			gs, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			mutate(gs)
			// InitGenesis refuses what Validate (`cortd genesis validate`) rejects, with the
			// same error, and writes nothing.
			want := gs.Validate()
			require.Error(t, want)
			before, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			require.EqualError(t, f.k.InitGenesis(f.Ctx, gs), want.Error())
			after, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			require.Equal(t, before, after, "a refused genesis writes nothing")
		})
	}
	require.NoError(t, good.Validate())
}
