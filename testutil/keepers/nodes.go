package keepers

import (
	"strings"
	"testing"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"

	modelskeeper "github.com/cortnet/cortd/x/models/keeper"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// NodesModuleAccounts are the module accounts a real x/models + x/nodes pair needs; merge
// them into NewBase's moduleAccounts.
func NodesModuleAccounts() map[string][]string {
	return map[string][]string{
		nodestypes.ModuleName: nil, nodestypes.RewardsPoolName: nil, modelstypes.ModuleName: nil,
		distrtypes.ModuleName: nil, authtypes.FeeCollectorName: nil,
	}
}

// NodesStoreKeys are the store keys of x/models and x/nodes; add them to NewBase's keys.
func NodesStoreKeys() []string { return []string{nodestypes.StoreKey, modelstypes.StoreKey} }

// Nodes is a real x/models keeper and a real x/nodes keeper over a Base, for tests of the
// modules built on them (x/sessions, x/audits, x/challenges). No mint source; slashes go
// to a CommunityPool stand-in.
type Nodes struct {
	Models    modelskeeper.Keeper
	Nodes     nodeskeeper.Keeper
	ModelsMsg modelstypes.MsgServer
	NodesMsg  nodestypes.MsgServer
	Community *CommunityPool
}

// NewNodes builds both keepers on base (which must have NodesModuleAccounts and
// NodesStoreKeys) with default genesis, period 1 open at height 1, then applies mutate to
// the x/nodes params.
func NewNodes(t testing.TB, base *Base, mutate ...func(*nodestypes.Params)) *Nodes {
	t.Helper()
	mk := modelskeeper.NewKeeper(base.Cdc, base.StoreService(modelstypes.StoreKey), base.Bank, base.Authority)
	if err := mk.InitGenesis(base.Ctx, modelstypes.DefaultGenesis()); err != nil {
		t.Fatal(err)
	}
	community := &CommunityPool{Bank: base.Bank}
	nk := nodeskeeper.NewKeeper(base.Cdc, base.StoreService(nodestypes.StoreKey), base.Bank, base.Account, mk, community, nil,
		authtypes.FeeCollectorName, base.Authority)
	gs := nodestypes.DefaultGenesis()
	gs.Period = nodestypes.Period{Number: 1, StartHeight: 1}
	for _, m := range mutate {
		m(&gs.Params)
	}
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := nk.InitGenesis(base.Ctx, gs); err != nil {
		t.Fatal(err)
	}
	return &Nodes{Models: mk, Nodes: nk, ModelsMsg: modelskeeper.NewMsgServerImpl(mk),
		NodesMsg: nodeskeeper.NewMsgServerImpl(nk), Community: community}
}

// RegisterModel registers an active model through the authority (no deposit).
func (n *Nodes) RegisterModel(t testing.TB, base *Base, id string, embeddingDim uint32, memoryMiB uint64) {
	t.Helper()
	_, err := n.ModelsMsg.RegisterModel(base.Ctx, &modelstypes.MsgRegisterModel{
		Sender: base.Authority, Id: id, Name: id, Architecture: "gpt2", WeightsUri: "hf://test/" + id,
		WeightsSha256: strings.Repeat("a", 64), TokenizerSha256: strings.Repeat("b", 64),
		EmbeddingDim: embeddingDim, MemoryMib: memoryMiB,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// RegisterNode funds operator with the pool-3 minimum stake, registers node id serving
// models with a memory index of memoryIndexMiB, and sends its first heartbeat reporting
// loaded as warm. The node's key is its operator.
func (n *Nodes) RegisterNode(t testing.TB, base *Base, operator sdk.AccAddress, id string, memoryIndexMiB uint64, models, loaded []string) {
	t.Helper()
	p, err := n.Nodes.Params.Get(base.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	pool, ok := p.Pool(3)
	if !ok {
		t.Fatal("no pool 3")
	}
	stake := sdk.NewCoin(p.Denom, pool.MinStake)
	base.Fund(t, operator, sdk.NewCoins(stake))
	if _, err := n.NodesMsg.RegisterNode(base.Ctx, &nodestypes.MsgRegisterNode{
		Operator: operator.String(), NodeId: id, PoolId: 3, Stake: stake, Endpoint: "http://127.0.0.1:8081",
		Spec: nodestypes.NodeSpec{CpuCores: 8, RamMib: 32_768}, MemoryIndexMib: memoryIndexMiB, Models: models,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.NodesMsg.Heartbeat(base.Ctx, &nodestypes.MsgHeartbeat{NodeAddress: operator.String(), NodeId: id, LoadedModels: loaded}); err != nil {
		t.Fatal(err)
	}
}

// SetLevel sets a node's level directly (levels are otherwise earned over periods).
func (n *Nodes) SetLevel(t testing.TB, base *Base, id string, level uint32) {
	t.Helper()
	node, err := n.Nodes.GetNode(base.Ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	node.Level = level
	if err := n.Nodes.Nodes.Set(base.Ctx, id, node); err != nil {
		t.Fatal(err)
	}
}

// LiveStats returns the node's counters in the open period.
func (n *Nodes) LiveStats(t testing.TB, base *Base, id string) nodestypes.PeriodStats {
	t.Helper()
	period, err := n.Nodes.Period.Get(base.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := n.Nodes.LiveStats.Get(base.Ctx, collections.Join(period.Number, id))
	if err != nil {
		return nodestypes.PeriodStats{}
	}
	return st
}
