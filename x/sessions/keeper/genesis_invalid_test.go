package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/sessions/types"
)

// TestInitGenesisRefusesInvalid: every kind of state that GenesisState.Validate (what
// `cortd genesis validate` runs) rejects is refused by InitGenesis with the same error,
// naming the record, before anything is written.
func TestInitGenesisRefusesInvalid(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 1, 1_000)
	id, nodes := f.assignOne(t, sid)
	task := f.reveal(t, id, nodes, []result{res("a", east...), res("b", c90...)})
	require.Equal(t, types.TASK_STATUS_VALIDATED, task.Status)
	good, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, good.Validate())

	for name, tc := range map[string]struct {
		mutate func(*types.GenesisState)
		err    error
		says   string
	}{
		"bad params":        {func(g *types.GenesisState) { g.Params.MinRedundancy = 0 }, types.ErrInvalidParams, "min_redundancy"},
		"next session zero": {func(g *types.GenesisState) { g.NextSessionId = 0 }, types.ErrInvalidGenesis, "ids start at 1"},
		"next task zero":    {func(g *types.GenesisState) { g.NextTaskId = 0 }, types.ErrInvalidGenesis, "ids start at 1"},
		"duplicate session": {func(g *types.GenesisState) { g.Sessions = append(g.Sessions, g.Sessions[0]) }, types.ErrInvalidGenesis, "session id 1"},
		"session not below next": {func(g *types.GenesisState) { g.NextSessionId = g.Sessions[0].Id }, types.ErrInvalidGenesis,
			"not below next_session_id"},
		"bad owner": {func(g *types.GenesisState) { g.Sessions[0].Owner = "nope" }, types.ErrInvalidAddress, "session 1"},
		"quorum above redundancy": {func(g *types.GenesisState) { g.Sessions[0].Quorum = g.Sessions[0].Redundancy + 1 }, types.ErrInvalidGenesis,
			"session 1: bad redundancy/quorum"},
		"negative price":      {func(g *types.GenesisState) { g.Sessions[0].PricePerTask = sdkmath.NewInt(-1) }, types.ErrInvalidGenesis, "session 1: price_per_task"},
		"session mode":        {func(g *types.GenesisState) { g.Sessions[0].Verification = 9 }, types.ErrInvalidGenesis, "session 1"},
		"duplicate task":      {func(g *types.GenesisState) { g.Tasks = append(g.Tasks, g.Tasks[0]) }, types.ErrInvalidGenesis, "task id 1"},
		"task not below next": {func(g *types.GenesisState) { g.NextTaskId = g.Tasks[0].Id }, types.ErrInvalidGenesis, "not below next_task_id"},
		"task of unknown session": {func(g *types.GenesisState) { g.Tasks[0].SessionId = 77 }, types.ErrInvalidGenesis,
			"task 1 refers to unknown session 77"},
		"unspecified task status": {func(g *types.GenesisState) { g.Tasks[0].Status = types.TASK_STATUS_UNSPECIFIED }, types.ErrInvalidGenesis,
			"task 1 has status"},
		"negative reservation": {func(g *types.GenesisState) { g.Tasks[0].Reserved = sdkmath.NewInt(-1) }, types.ErrInvalidGenesis,
			"task 1: bad reservation"},
		"audit id without audit": {func(g *types.GenesisState) { g.Tasks[0].AuditId = 3 }, types.ErrInvalidGenesis, "task 1"},
		"task mode":              {func(g *types.GenesisState) { g.Tasks[0].Verification = -2 }, types.ErrInvalidGenesis, "task 1"},
		"replay score form": {func(g *types.GenesisState) { g.Tasks[0].Assignments[0].ReplayScore = "0.5" }, types.ErrInvalidGenesis,
			"task 1 node"},
	} {
		t.Run(name, func(t *testing.T) {
			gs, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			tc.mutate(gs)
			want := gs.Validate()
			require.ErrorIs(t, want, tc.err)
			require.ErrorContains(t, want, tc.says, "the error names the offending record")

			g := newFixture(t)
			before := g.snapshot(t)
			err = g.k.InitGenesis(g.Ctx, gs)
			require.ErrorIs(t, err, tc.err)
			require.EqualError(t, err, want.Error())
			require.Equal(t, before, g.snapshot(t), "a refused genesis writes nothing")
		})
	}
}
