package types_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// TestDisqualification covers each rule and its edges with the default params
// (min_warm_assignments 3, max_warm_miss_share 0.5, max_loaded_change_share 0.5) for a
// period ending at height 61.
func TestDisqualification(t *testing.T) {
	p := types.DefaultParams()
	okNode := types.Node{Id: "n", PoolId: 3, Stake: sdkmath.NewInt(6_000_000_000)}
	under := okNode
	under.Stake = sdkmath.NewInt(5_999_999_999)
	cases := []struct {
		name string
		n    types.Node
		st   types.PeriodStats
		want string // code, "" = none
	}{
		{"clean", okNode, types.PeriodStats{Heartbeats: 6}, ""},
		{"stake flagged in the period", okNode, types.PeriodStats{UnderMinStake: true}, types.DisqualStakeBelowMinimum},
		{"under since before the end", withUnder(under, 60), types.PeriodStats{}, types.DisqualStakeBelowMinimum},
		{"under only since the end", withUnder(under, 61), types.PeriodStats{}, ""},
		{"under with no slash (minimum raised)", under, types.PeriodStats{}, types.DisqualStakeBelowMinimum},
		{"pool gone", types.Node{Id: "n", PoolId: 9, Stake: okNode.Stake}, types.PeriodStats{}, types.DisqualStakeBelowMinimum},
		{"warm: 3 of 4 missed", okNode, types.PeriodStats{WarmAssigned: 4, Assigned: 4, PrecommitsOnTime: 1}, types.DisqualWarmPrecommitMisses},
		{"warm: 2 of 4 missed is not more than half", okNode, types.PeriodStats{WarmAssigned: 4, Assigned: 4, PrecommitsOnTime: 2}, ""},
		{"warm: late precommits answer too", okNode, types.PeriodStats{WarmAssigned: 4, PrecommitsOnTime: 1, PrecommitsLate: 1}, ""},
		{"warm: below the minimum sample", okNode, types.PeriodStats{WarmAssigned: 2}, ""},
		{"warm: precommits of cold tasks count as warm (lower bound)", okNode, types.PeriodStats{WarmAssigned: 3, Assigned: 10, PrecommitsOnTime: 3}, ""},
		{"churn: 4 changes in 6 heartbeats", okNode, types.PeriodStats{Heartbeats: 6, LoadedChanges: 4}, types.DisqualHeartbeatChurn},
		{"churn: 3 changes in 6 heartbeats", okNode, types.PeriodStats{Heartbeats: 6, LoadedChanges: 3}, ""},
		{"stake comes first", okNode, types.PeriodStats{UnderMinStake: true, Heartbeats: 2, LoadedChanges: 2}, types.DisqualStakeBelowMinimum},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := types.Disqualification(p, tc.n, tc.st, 61)
			if tc.want == "" {
				require.Empty(t, got)
				return
			}
			require.True(t, strings.HasPrefix(got, tc.want+": "), got)
		})
	}
	// counters near the top of uint64 do not wrap the lower bound
	require.Zero(t, types.WarmMissesAtLeast(types.PeriodStats{WarmAssigned: 10, PrecommitsOnTime: ^uint64(0), PrecommitsLate: 5}))
	// rules off with a zero share
	off := p
	off.MaxWarmMissShare, off.MaxLoadedChangeShare = sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec()
	require.Empty(t, types.Disqualification(off, okNode, types.PeriodStats{WarmAssigned: 9, Heartbeats: 6, LoadedChanges: 6}, 61))
}

func withUnder(n types.Node, since int64) types.Node {
	n.StakeUnderSince = since
	return n
}

func TestNewOperatorIn(t *testing.T) {
	p := types.DefaultParams() // window 1: one time
	require.True(t, p.NewOperatorIn(5, 5))
	require.False(t, p.NewOperatorIn(5, 6))
	require.False(t, p.NewOperatorIn(5, 4))
	require.False(t, p.NewOperatorIn(0, 1), "operators from before the rule are not new")
	p.NewOperatorWindow = 0
	require.False(t, p.NewOperatorIn(5, 5), "window 0: no multi-node bonus")
	p.NewOperatorWindow = ^uint64(0)
	require.True(t, p.NewOperatorIn(5, ^uint64(0)-1), "no overflow")
}

func TestDisqualificationParamsRejects(t *testing.T) {
	for name, mutate := range map[string]func(p *types.Params){
		"warm miss share above 1":   func(p *types.Params) { p.MaxWarmMissShare = d("1.1") },
		"warm miss share negative":  func(p *types.Params) { p.MaxWarmMissShare = d("-0.1") },
		"loaded change share above": func(p *types.Params) { p.MaxLoadedChangeShare = d("2") },
		"loaded change negative":    func(p *types.Params) { p.MaxLoadedChangeShare = d("-1") },
	} {
		p := types.DefaultParams()
		mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
}

// TestOlderParamsJSONLoads: params JSON written before new_operator_window and the
// disqualification fields existed decodes and validates: no operator is new (no
// multi-node bonus) and the disqualification rules are off.
func TestOlderParamsJSONLoads(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	cur := types.DefaultParams()
	bz, err := cdc.MarshalJSON(&cur)
	require.NoError(t, err)
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(bz, &fields))
	for _, f := range []string{"new_operator_window", "max_warm_miss_share", "min_warm_assignments", "max_loaded_change_share"} {
		_, ok := fields[f]
		require.True(t, ok, f)
		delete(fields, f)
	}
	old, err := json.Marshal(fields)
	require.NoError(t, err)
	var p types.Params
	require.NoError(t, cdc.UnmarshalJSON(old, &p))
	require.NoError(t, p.Validate())
	require.False(t, p.NewOperatorIn(1, 1))
	n := types.Node{PoolId: 3, Stake: sdkmath.NewInt(6_000_000_000)}
	require.Empty(t, types.Disqualification(p, n, types.PeriodStats{WarmAssigned: 9, Heartbeats: 6, LoadedChanges: 6}, 61))

	bin, err := p.Marshal() // and once stored
	require.NoError(t, err)
	var stored types.Params
	require.NoError(t, stored.Unmarshal(bin))
	require.NoError(t, stored.Validate())
	require.Empty(t, types.Disqualification(stored, n, types.PeriodStats{WarmAssigned: 9, Heartbeats: 6, LoadedChanges: 6}, 61))
}
