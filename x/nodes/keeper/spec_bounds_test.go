package keeper_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// specBoundCases: every spec figure above its bound, free text with control characters,
// and ram_mib + vram_mib that used to wrap around uint64 (so a huge memory index passed
// the "fits the machine" check).
var specBoundCases = []struct {
	name   string
	mutate func(s *types.NodeSpec, memoryIndex *uint64)
}{
	{"cpu_cores over max", func(s *types.NodeSpec, _ *uint64) { s.CpuCores = types.MaxCPUCores + 1 }},
	{"cpu_cores max uint32", func(s *types.NodeSpec, _ *uint64) { s.CpuCores = math.MaxUint32 }},
	{"ram_mib over max", func(s *types.NodeSpec, _ *uint64) { s.RamMib = types.MaxRAMMiB + 1 }},
	{"gpu_count over max", func(s *types.NodeSpec, _ *uint64) { s.GpuCount = types.MaxGPUCount + 1 }},
	{"vram_mib over max", func(s *types.NodeSpec, _ *uint64) { s.VramMib = types.MaxVRAMMiB + 1 }},
	{"ram + vram wraps around", func(s *types.NodeSpec, mi *uint64) {
		s.RamMib, s.VramMib, *mi = math.MaxUint64, 1<<63, 1<<62
	}},
	{"gpu_model too long", func(s *types.NodeSpec, _ *uint64) { s.GpuModel = strings.Repeat("H", types.MaxGPUModelBytes+1) }},
	{"gpu_model with a newline", func(s *types.NodeSpec, _ *uint64) { s.GpuModel = "L4\nforged log line" }},
	{"gpu_model with an escape", func(s *types.NodeSpec, _ *uint64) { s.GpuModel = "L4\x1b[31m" }},
	{"gpu_model not UTF-8", func(s *types.NodeSpec, _ *uint64) { s.GpuModel = "L4\xff" }},
}

func TestRegisterNodeSpecBounds(t *testing.T) {
	for _, tc := range specBoundCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Fund(t, op1, sdk.NewCoins(coin(2*minStake)))
			before := f.snapshot(t)
			msg := registerMsg(op1, "n1")
			tc.mutate(&msg.Spec, &msg.MemoryIndexMib)
			_, err := f.msg.RegisterNode(f.Ctx, msg)
			require.ErrorIs(t, err, types.ErrInvalidSpec)
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
}

func TestUpdateNodeSpecBounds(t *testing.T) {
	for _, tc := range specBoundCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			n := f.register(t, op1, "n1")
			before := f.snapshot(t)
			msg := &types.MsgUpdateNode{Operator: op1.String(), NodeId: n.Id, Endpoint: n.Endpoint, Spec: n.Spec,
				MemoryIndexMib: n.MemoryIndexMib, Models: n.Models}
			tc.mutate(&msg.Spec, &msg.MemoryIndexMib)
			_, err := f.msg.UpdateNode(f.Ctx, msg)
			require.ErrorIs(t, err, types.ErrInvalidSpec)
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
}

func TestSpecAtItsBoundsIsAccepted(t *testing.T) {
	s := types.NodeSpec{CpuCores: types.MaxCPUCores, RamMib: types.MaxRAMMiB, GpuModel: strings.Repeat("é", types.MaxGPUModelBytes/2),
		GpuCount: types.MaxGPUCount, VramMib: types.MaxVRAMMiB}
	require.NoError(t, s.Validate())
}

func TestListAndStringParamsHaveHardCaps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(p *types.Params)
	}{
		{"max_models_per_node", func(p *types.Params) { p.MaxModelsPerNode = types.MaxModelsPerNodeLimit + 1 }},
		{"max_endpoint_length", func(p *types.Params) { p.MaxEndpointLength = types.MaxEndpointLengthLimit + 1 }},
		{"max_roles_per_operator", func(p *types.Params) { p.MaxRolesPerOperator = types.MaxRolesPerOperatorLimit + 1 }},
	} {
		p := types.DefaultParams()
		tc.mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, tc.name)
	}
}

// TestRewardAndStakeParamsHaveHardCaps: a reward unit, unit counts or a pool minimum near
// 2^256 would overflow settlement in EndBlock (a chain halt); params refuse them.
func TestRewardAndStakeParamsHaveHardCaps(t *testing.T) {
	huge := types.MaxAmountParam.AddRaw(1)
	tooMany := types.MaxRewardUnits.Add(sdkmath.LegacySmallestDec())
	for _, tc := range []struct {
		name   string
		mutate func(p *types.Params)
	}{
		{"reward_unit", func(p *types.Params) { p.RewardUnit = huge }},
		{"pool min_stake", func(p *types.Params) { p.Pools[0].MinStake = huge }},
		{"tier base_units", func(p *types.Params) { p.RewardTiers[0].BaseUnits = tooMany }},
		{"level_bonus_units", func(p *types.Params) { p.LevelBonusUnits = tooMany }},
		{"prize_units", func(p *types.Params) { p.PrizeUnits = tooMany }},
	} {
		p := types.DefaultParams()
		tc.mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, tc.name)
	}
	// at the caps, a period's reward is computed without overflow
	p := types.DefaultParams()
	p.RewardUnit = types.MaxAmountParam
	for i := range p.RewardTiers {
		p.RewardTiers[i].BaseUnits = types.MaxRewardUnits
	}
	p.LevelBonusUnits, p.PrizeUnits = types.MaxRewardUnits, types.MaxRewardUnits
	p.RoleBonus, p.RoleBonusCap, p.TotalBonusCap = sdkmath.LegacyOneDec(), sdkmath.LegacyOneDec(), sdkmath.LegacyOneDec()
	require.NoError(t, p.Validate())
	one := sdkmath.LegacyOneDec()
	var r types.Reward
	require.NotPanics(t, func() {
		r = types.ComputeReward(p, types.RewardInput{Level: types.MaxLevel, Roles: 100, QualifiedNodes: 100, NewOperator: true,
			Scores: types.Scores{Uptime: one, Precommit: one, Commit: one, Validation: one, Total: one}})
	})
	require.True(t, r.Monthly().IsPositive())
	// and so is its share of the longest period x/epochs can express
	require.NotPanics(t, func() {
		amount, carry := types.PeriodAmount(r.Monthly(), types.PeriodSeconds(1<<63-1), types.MonthSeconds-1)
		require.True(t, amount.IsPositive())
		require.Less(t, carry, types.MonthSeconds)
		require.True(t, types.JoinPeriodAmount(r.Monthly(), types.PeriodSeconds(1<<63-1), 1<<62, 1<<63-1).IsPositive())
	})
}
