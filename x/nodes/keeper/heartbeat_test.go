package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// registerWithKey registers n1 for op1 with nodeKey1 as its heartbeat key.
func registerWithKey(t *testing.T, f *fixture) {
	t.Helper()
	f.Fund(t, op1, sdk.NewCoins(coin(minStake)))
	msg := registerMsg(op1, "n1")
	msg.NodeAddress = nodeKey1.String()
	_, err := f.msg.RegisterNode(f.Ctx, msg)
	require.NoError(t, err)
}

func TestHeartbeatRecordsLivenessAndLoadedModels(t *testing.T) {
	f := newFixture(t)
	registerWithKey(t, f)
	f.atHeight(5)
	require.NoError(t, f.heartbeat(t, nodeKey1, "n1", "medium", "small"))
	n, _ := f.k.GetNode(f.Ctx, "n1")
	require.Equal(t, int64(5), n.LastHeartbeatHeight)
	loaded, err := f.k.LoadedModels(f.Ctx, "n1")
	require.NoError(t, err)
	require.Equal(t, []string{"medium", "small"}, loaded)
	res, err := f.q.CurrentPeriod(f.Ctx, &types.QueryCurrentPeriodRequest{NodeId: "n1"})
	require.NoError(t, err)
	require.Equal(t, uint64(1), res.NodeStats.Heartbeats)
	require.True(t, f.hasEvent("cortd.nodes.v1.EventHeartbeat"))
}

func TestHeartbeatRejections(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.HeartbeatIntervalBlocks = 10 })
	registerWithKey(t, f)
	f.atHeight(12)
	require.NoError(t, f.heartbeat(t, nodeKey1, "n1"))

	cases := []struct {
		name   string
		height int64
		from   sdk.AccAddress
		node   string
		loaded []string
		err    error
	}{
		{"stranger", 20, stranger, "n1", nil, types.ErrNotNodeKey},
		{"operator is not the node key", 20, op1, "n1", nil, types.ErrNotNodeKey},
		{"too soon, same block", 12, nodeKey1, "n1", nil, types.ErrHeartbeatTooSoon},
		{"too soon, same slot", 19, nodeKey1, "n1", nil, types.ErrHeartbeatTooSoon},
		{"unknown node", 20, nodeKey1, "n9", nil, types.ErrNodeNotFound},
		{"model not served", 20, nodeKey1, "n1", []string{"big"}, types.ErrModelNotServed},
		{"duplicate loaded model", 20, nodeKey1, "n1", []string{"small", "small"}, types.ErrInvalidModels},
		{"bad node address", 20, nil, "n1", nil, types.ErrInvalidAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.atHeight(tc.height)
			before := f.snapshot(t)
			from := ""
			if tc.from != nil {
				from = tc.from.String()
			}
			_, err := f.msg.Heartbeat(f.Ctx, &types.MsgHeartbeat{NodeAddress: from, NodeId: tc.node, LoadedModels: tc.loaded})
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
	f.atHeight(20) // next slot
	require.NoError(t, f.heartbeat(t, nodeKey1, "n1"))
}

func TestHeartbeatLoadedModelsMustFitTogether(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, op1, sdk.NewCoins(coin(minStake)))
	msg := registerMsg(op1, "n1")
	msg.MemoryIndexMib = 8_500 // fits medium (8,000) or small (1,000), not both
	_, err := f.msg.RegisterNode(f.Ctx, msg)
	require.NoError(t, err)
	before := f.snapshot(t)
	require.ErrorIs(t, f.heartbeat(t, op1, "n1", "small", "medium"), types.ErrModelTooLarge)
	require.Equal(t, before, f.snapshot(t))
	require.NoError(t, f.heartbeat(t, op1, "n1", "medium"))
}

func TestMissedHeartbeatsMakeNodeInactiveUntilNextHeartbeat(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.HeartbeatIntervalBlocks = 10; p.MaxMissedHeartbeats = 3 })
	f.register(t, op1, "n1")
	eligible := func() bool {
		ok, err := f.k.IsEligible(f.Ctx, "n1", "small", 0)
		require.NoError(t, err)
		return ok
	}
	require.False(t, eligible(), "no work before the first heartbeat")
	f.atHeight(100)
	require.NoError(t, f.heartbeat(t, op1, "n1"))
	require.True(t, eligible())
	f.atHeight(130) // 3 intervals: still tolerated
	require.True(t, eligible())
	f.atHeight(131)
	require.False(t, eligible(), "more than 3 intervals missed")
	res, err := f.q.Node(f.Ctx, &types.QueryNodeRequest{NodeId: "n1"})
	require.NoError(t, err)
	require.True(t, res.Inactive)

	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
	require.NoError(t, f.heartbeat(t, op1, "n1"))
	require.True(t, eligible())
	var reactivated bool
	for _, ev := range f.Ctx.EventManager().Events() {
		for _, a := range ev.Attributes {
			if ev.Type == "cortd.nodes.v1.EventHeartbeat" && a.Key == "reactivated" && a.Value == "true" {
				reactivated = true
			}
		}
	}
	require.True(t, reactivated)
}
