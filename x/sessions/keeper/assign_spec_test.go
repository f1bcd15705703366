package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	"github.com/cortnet/cortd/x/sessions/keeper"
	"github.com/cortnet/cortd/x/sessions/types"
)

// bigModel needs 30,000 MiB: more than a 24 GiB GPU, less than two 40 GiB ones.
const (
	bigModel    = "big"
	bigModelMiB = 30_000
)

var (
	// 1 × 24 GiB GPU and 64 GiB RAM; its memory index (60,000) counts the RAM, so x/nodes
	// lets it register and heartbeat the big model, but the weights cannot sit in VRAM.
	gpuSmall = nodestypes.NodeSpec{CpuCores: 16, RamMib: 65_536, GpuModel: "L4", GpuCount: 1, VramMib: 24_576}
	// 2 × 40 GiB GPUs: 81,920 MiB of VRAM in all (tensor parallel over both).
	gpuBig = nodestypes.NodeSpec{CpuCores: 32, RamMib: 32_768, GpuModel: "A100-40GB", GpuCount: 2, VramMib: 81_920}
	// CPU only, 64 GiB RAM: the CPU engine holds models in RAM.
	cpuOnly = nodestypes.NodeSpec{CpuCores: 16, RamMib: 65_536}
)

// addSpecNode registers one node serving models with the given spec and memory index
// and heartbeats loaded as its warm models.
func (f *fixture) addSpecNode(t *testing.T, id string, spec nodestypes.NodeSpec, memoryIndexMiB uint64, models, loaded []string) {
	t.Helper()
	f.nOps++
	op := opAddr(f.nOps)
	p, err := f.nodes.Nodes.Params.Get(f.Ctx)
	require.NoError(t, err)
	pool, ok := p.Pool(3)
	require.True(t, ok)
	stake := sdk.NewCoin(p.Denom, pool.MinStake)
	f.Fund(t, op, sdk.NewCoins(stake))
	_, err = f.nodes.NodesMsg.RegisterNode(f.Ctx, &nodestypes.MsgRegisterNode{
		Operator: op.String(), NodeId: id, PoolId: 3, Stake: stake, Endpoint: "http://127.0.0.1:8081",
		Spec: spec, MemoryIndexMib: memoryIndexMiB, Models: models,
	})
	require.NoError(t, err)
	_, err = f.nodes.NodesMsg.Heartbeat(f.Ctx, &nodestypes.MsgHeartbeat{NodeAddress: op.String(), NodeId: id, LoadedModels: loaded})
	require.NoError(t, err)
}

// bigSession opens a session on the big model with redundancy r.
func (f *fixture) bigSession(t *testing.T, r uint32, deposit int64) uint64 {
	t.Helper()
	f.Fund(t, alice, coins(deposit))
	m := createMsg(r, 1, deposit)
	m.ModelId = bigModel
	res, err := f.msg.CreateSession(f.Ctx, m)
	require.NoError(t, err)
	return res.SessionId
}

// bigFixture: the big model and three nodes that x/nodes all accept for it (each memory
// index ≥ 30,000 MiB): gpu-small (warm, but its VRAM is too small), gpu-big (cold) and
// cpu (warm).
func bigFixture(t *testing.T, mutate ...func(*types.Params)) *fixture {
	t.Helper()
	f := newFixture(t, mutate...)
	f.nodes.RegisterModel(t, f.Base, bigModel, dim, bigModelMiB)
	f.addSpecNode(t, "gpu-small", gpuSmall, 60_000, []string{bigModel}, []string{bigModel})
	f.addSpecNode(t, "gpu-big", gpuBig, 80_000, []string{bigModel}, nil)
	f.addSpecNode(t, "cpu", cpuOnly, 40_000, []string{bigModel}, []string{bigModel})
	return f
}

func TestCanHold(t *testing.T) {
	for _, c := range []struct {
		name        string
		spec        nodestypes.NodeSpec
		index, need uint64
		want        bool
	}{
		{"cpu: fits the memory index", cpuOnly, 40_000, 30_000, true},
		{"cpu: exactly the memory index", cpuOnly, 30_000, 30_000, true},
		{"cpu: over the memory index", cpuOnly, 29_999, 30_000, false},
		{"gpu: fits VRAM and index", gpuBig, 80_000, 30_000, true},
		{"gpu: exactly the VRAM", gpuBig, 81_920, 81_920, true},
		{"gpu: over the VRAM, under the index (RAM does not count)", gpuSmall, 60_000, 30_000, false},
		{"gpu: one MiB over the VRAM", gpuSmall, 60_000, 24_577, false},
		{"gpu: fits VRAM, over the index", gpuBig, 20_000, 30_000, false},
		{"gpu count without vram (invalid spec) holds nothing", nodestypes.NodeSpec{CpuCores: 1, RamMib: 1 << 20, GpuCount: 1}, 1 << 20, 1, false},
		{"vram without gpu count (invalid spec) is a GPU node", nodestypes.NodeSpec{CpuCores: 1, RamMib: 1 << 20, VramMib: 100}, 1 << 20, 101, false},
		{"zero-size model", gpuSmall, 1, 0, true},
		{"max uint64 need", cpuOnly, ^uint64(0), ^uint64(0), true},
	} {
		require.Equal(t, c.want, keeper.CanHold(c.spec, c.index, c.need), c.name)
	}
}

// TestAssignmentNeverOverNodeCapacity: gpu-small is eligible in x/nodes (memory index 60,000
// ≥ 30,000, and it even reports the model loaded) but its 24 GiB of VRAM cannot hold the
// model: it is never assigned, while both nodes that can hold it are.
func TestAssignmentNeverOverNodeCapacity(t *testing.T) {
	f := bigFixture(t, func(p *types.Params) { p.MaxAssignmentsPerBlock = 1000 })
	ok, err := f.nodes.Nodes.IsEligible(f.Ctx, "gpu-small", bigModel, 0)
	require.NoError(t, err)
	require.True(t, ok, "the point of the test: x/nodes alone would route to gpu-small")

	sid := f.bigSession(t, 2, 200*price)
	var ids []uint64
	for range 100 {
		ids = append(ids, f.submit(t, sid))
	}
	f.endBlock(t)
	seen := map[string]int{}
	for _, id := range ids {
		task := f.task(t, id)
		require.Equal(t, types.TASK_STATUS_PRECOMMIT, task.Status)
		nodes := assigned(task)
		require.ElementsMatch(t, []string{"gpu-big", "cpu"}, nodes)
		for _, n := range nodes {
			seen[n]++
		}
	}
	require.Zero(t, seen["gpu-small"])

	// Replacements obey the same rule: nobody precommits, the window closes, and the
	// only node left (gpu-small) is not brought in.
	for range testParams().PrecommitWindowBlocks + 1 {
		f.endBlock(t)
	}
	for _, id := range ids {
		require.NotContains(t, assigned(f.task(t, id)), "gpu-small")
	}
	f.checkInvariants(t)
}

// TestAssignmentPrefersWarmNodesThatHold: of the two warm nodes only cpu can hold the
// model, so every redundancy-1 task goes to cpu; with redundancy 2 the second node is the
// cold gpu-big, never the warm gpu-small.
func TestAssignmentPrefersWarmNodesThatHold(t *testing.T) {
	f := bigFixture(t, func(p *types.Params) { p.MaxAssignmentsPerBlock = 1000 })
	one := f.bigSession(t, 1, 50*price)
	two := f.bigSession(t, 2, 100*price)
	var ones, twos []uint64
	for range 50 {
		ones = append(ones, f.submit(t, one))
		twos = append(twos, f.submit(t, two))
	}
	f.endBlock(t)
	for _, id := range ones {
		require.Equal(t, []string{"cpu"}, assigned(f.task(t, id)))
	}
	for _, id := range twos {
		require.Equal(t, []string{"cpu", "gpu-big"}, assigned(f.task(t, id)), "warm first, then cold")
	}

	// Once gpu-big reports the model loaded too, both warm holders share the redundancy-1
	// tasks (level-weighted shuffle among the warm pool).
	gb, err := f.nodes.Nodes.GetNode(f.Ctx, "gpu-big")
	require.NoError(t, err)
	f.Ctx = f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + 1_000_000) // next heartbeat slot
	_, err = f.nodes.NodesMsg.Heartbeat(f.Ctx, &nodestypes.MsgHeartbeat{NodeAddress: gb.NodeAddress, NodeId: "gpu-big", LoadedModels: []string{bigModel}})
	require.NoError(t, err)
	for _, n := range []string{"cpu", "gpu-small"} { // keep the others active
		node, err := f.nodes.Nodes.GetNode(f.Ctx, n)
		require.NoError(t, err)
		_, err = f.nodes.NodesMsg.Heartbeat(f.Ctx, &nodestypes.MsgHeartbeat{NodeAddress: node.NodeAddress, NodeId: n, LoadedModels: []string{bigModel}})
		require.NoError(t, err)
	}
	three := f.bigSession(t, 1, 60*price)
	counts := map[string]int{}
	for range 60 {
		id := f.submit(t, three)
		f.endBlock(t)
		nodes := assigned(f.task(t, id))
		require.Len(t, nodes, 1)
		counts[nodes[0]]++
	}
	require.Zero(t, counts["gpu-small"])
	require.Positive(t, counts["cpu"], "counts %v", counts)
	require.Positive(t, counts["gpu-big"], "counts %v", counts)
}

// TestAssignmentWithSpecsDeterministic: two independent chains with the same mixed-spec
// nodes and block hash assign identically; another block hash assigns differently; no
// chain ever assigns a node that cannot hold the model.
func TestAssignmentWithSpecsDeterministic(t *testing.T) {
	run := func(hashByte byte) [][]string {
		f := newFixture(t, func(p *types.Params) { p.MaxAssignmentsPerBlock = 1000 })
		f.nodes.RegisterModel(t, f.Base, bigModel, dim, bigModelMiB)
		for i := range 12 {
			spec, index := cpuOnly, uint64(40_000)
			switch i % 3 {
			case 0:
				spec, index = gpuSmall, 60_000
			case 1:
				spec, index = gpuBig, 80_000
			}
			var warm []string
			if i%2 == 0 {
				warm = []string{bigModel}
			}
			f.addSpecNode(t, fmt.Sprintf("n%02d", i), spec, index, []string{bigModel}, warm)
		}
		withLastBlockHash(f, hashByte)
		sid := f.bigSession(t, 3, 60*price)
		var ids []uint64
		for range 20 {
			ids = append(ids, f.submit(t, sid))
		}
		f.endBlock(t)
		out := make([][]string, len(ids))
		for i, id := range ids {
			out[i] = assigned(f.task(t, id))
			require.Len(t, out[i], 3)
			for _, n := range out[i] {
				var k int
				_, err := fmt.Sscanf(n, "n%02d", &k)
				require.NoError(t, err)
				require.NotZero(t, k%3, "%s is a 24 GiB GPU node", n)
			}
		}
		return out
	}
	a, b, c := run(1), run(1), run(2)
	require.Equal(t, a, b)
	require.NotEqual(t, a, c)
}

// TestTaskNobodyCanHoldExpires: redundancy 3 but only two nodes can hold the model (the
// third is eligible in x/nodes but its VRAM is too small). The task stays queued, never
// half-assigned, and expires at the queue deadline with the whole reservation back.
func TestTaskNobodyCanHoldExpires(t *testing.T) {
	f := bigFixture(t)
	sid := f.bigSession(t, 3, 1_000)
	id := f.submit(t, sid)
	for range testParams().QueueTimeoutBlocks {
		f.endBlock(t)
		task := f.task(t, id)
		require.Equal(t, types.TASK_STATUS_QUEUED, task.Status)
		require.Empty(t, task.Assignments)
	}
	f.endBlock(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_EXPIRED, task.Status)
	require.Empty(t, task.Assignments)
	require.Equal(t, int64(1_000), f.escrow(t, sid).Free.Int64())
	require.True(t, f.escrow(t, sid).Reserved.IsZero())
	s := f.sess(t, sid)
	require.Equal(t, uint64(1), s.TasksExpired)
	require.Zero(t, s.Queued)
	ql, err := f.q.QueueLength(f.Ctx, &types.QueryQueueLengthRequest{SessionId: sid})
	require.NoError(t, err)
	require.Zero(t, ql.Total)
	f.checkInvariants(t)
}
