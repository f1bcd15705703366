package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/nodes/types"
)

// TestSlashNodeCostsALevelAndIsRecorded: besides the stake, a slash takes one level at
// once (never below 0), restarts the promotion streak, counts in the open period's stats
// and stays in the settled period record (the node's history); the event carries the
// level change.
func TestSlashNodeCostsALevelAndIsRecorded(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "n1")
	require.NoError(t, f.heartbeat(t, op1, "n1"))
	n, err := f.k.GetNode(f.Ctx, "n1")
	require.NoError(t, err)
	n.Level, n.PromotionStreak = 3, 2
	require.NoError(t, f.k.Nodes.Set(f.Ctx, "n1", n))

	_, err = f.k.SlashNode(f.Ctx, "n1", decStr("0.1"), "session audit fraud")
	require.NoError(t, err)
	n, err = f.k.GetNode(f.Ctx, "n1")
	require.NoError(t, err)
	require.Equal(t, uint32(2), n.Level)
	require.Zero(t, n.PromotionStreak)
	levels := map[string]string{}
	for _, e := range f.Ctx.EventManager().Events() {
		if e.Type == "cortd.nodes.v1.EventNodeSlashed" {
			for _, a := range e.Attributes {
				levels[a.Key] = a.Value
			}
		}
	}
	require.Equal(t, "3", levels["level_before"])
	require.Equal(t, "2", levels["level_after"])

	n.Level = 0
	require.NoError(t, f.k.Nodes.Set(f.Ctx, "n1", n))
	_, err = f.k.SlashNode(f.Ctx, "n1", decStr("0.1"), "again")
	require.NoError(t, err)
	n, err = f.k.GetNode(f.Ctx, "n1")
	require.NoError(t, err)
	require.Zero(t, n.Level, "level 0 stays 0")
	f.checkInvariants(t)

	f.atHeight(61)
	f.endPeriod(t)
	recs, err := f.q.NodePeriods(f.Ctx, &types.QueryNodePeriodsRequest{NodeId: "n1"})
	require.NoError(t, err)
	require.Len(t, recs.Records, 1)
	require.Equal(t, uint64(2), recs.Records[0].Stats.Slashes, "both slashes are in the period's history")
	f.checkInvariants(t)
}
