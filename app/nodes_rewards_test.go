package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	dbm "github.com/cosmos/cosmos-db"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
)

// TestNodesRewardSources: the app wires x/nodes to the reward epoch's duration and to
// the auditor and evaluator counters, which read 0 for accounts that never did the work.
func TestNodesRewardSources(t *testing.T) {
	a := New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	require.Panics(t, func() { a.NodesKeeper.SetRewardSources(nodeskeeper.RewardSources{}) }, "already set in New")
	ctx := a.NewContext(true) // check state: writes stay in memory
	src := a.nodesRewardSources()

	require.NoError(t, a.EpochsKeeper.AddEpochInfo(ctx, epochstypes.NewGenesisEpochInfo("month", 30*24*time.Hour)))
	d, err := src.Epochs.EpochDuration(ctx, "month")
	require.NoError(t, err)
	require.Equal(t, 30*24*time.Hour, d)
	_, err = src.Epochs.EpochDuration(ctx, "fortnight")
	require.Error(t, err)

	addr := sdk.AccAddress(make([]byte, 20))
	require.Equal(t, []string{RoleAuditor, RoleEvaluator}, []string{src.Roles[0].Role(), src.Roles[1].Role()})
	for _, r := range src.Roles {
		n, err := r.Count(ctx, addr)
		require.NoError(t, err)
		require.Zero(t, n, r.Role())
	}
	require.NoError(t, a.AuditsKeeper.AuditorRecords.Set(ctx, addr, auditstypes.AuditorRecord{
		Auditor: addr.String(), Assigned: 9, Passed: 2, Reported: 1, Missed: 6,
	}))
	require.NoError(t, a.ChallengesKeeper.EvaluatorRecords.Set(ctx, addr, challengestypes.EvaluatorRecord{
		Evaluator: addr.String(), Submissions: 13, Agreed: 4, Disagreed: 9,
	}))
	n, err := src.Roles[0].Count(ctx, addr)
	require.NoError(t, err)
	require.Equal(t, uint64(3), n, "audits passed + reported")
	n, err = src.Roles[1].Count(ctx, addr)
	require.NoError(t, err)
	require.Equal(t, uint64(4), n, "scores agreeing with the median")
	require.Equal(t, ^uint64(0), saturatingAdd(^uint64(0)-1, 5))
}
