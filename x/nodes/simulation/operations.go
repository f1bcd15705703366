package simulation

import (
	"context"
	"math/rand"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"

	"github.com/cortnet/cortd/x/internal/simx"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	"github.com/cortnet/cortd/x/nodes/keeper"
	"github.com/cortnet/cortd/x/nodes/types"
)

// Operation weights (keys of the simulation's app params) and their defaults. Heartbeats
// weigh most: a node that misses too many slots takes no work.
const (
	OpWeightRegisterNode     = "op_weight_msg_register_node"
	OpWeightAddStake         = "op_weight_msg_add_stake"
	OpWeightUpdateNode       = "op_weight_msg_update_node"
	OpWeightUnbondNode       = "op_weight_msg_unbond_node"
	OpWeightWithdrawRewards  = "op_weight_msg_nodes_withdraw_rewards"
	OpWeightHeartbeat        = "op_weight_msg_heartbeat"
	OpWeightFundRewardsPool  = "op_weight_msg_fund_rewards_pool"
	OpWeightSetOperatorRoles = "op_weight_msg_set_operator_roles"
	OpWeightUpdateParams     = "op_weight_msg_nodes_update_params"

	// maxNodes bounds the simulated network; walkLimit bounds every walk of the nodes.
	maxNodes  = 40
	walkLimit = 200
	// minActiveNodes is how many active nodes UnbondNode leaves.
	minActiveNodes = 6
)

// Models is what the operations read of x/models: the registry, walked in id order.
type Models interface {
	WalkModels(ctx context.Context, limit uint32, fn func(modelstypes.Model) bool) error
}

// Deps is what the operations deliver through and read.
type Deps struct {
	simx.Env
	Models Models
}

// WeightedOperations returns one operation per x/nodes message.
func WeightedOperations(appParams simtypes.AppParams, d Deps, k keeper.Keeper) simulation.WeightedOperations {
	weight := func(key string, def int) int {
		var w int
		appParams.GetOrGenerate(key, &w, nil, func(*rand.Rand) { w = def })
		return w
	}
	return simulation.WeightedOperations{
		simulation.NewWeightedOperation(weight(OpWeightRegisterNode, 20), SimulateMsgRegisterNode(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightAddStake, 5), SimulateMsgAddStake(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateNode, 5), SimulateMsgUpdateNode(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUnbondNode, 4), SimulateMsgUnbondNode(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightWithdrawRewards, 5), SimulateMsgWithdrawRewards(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightHeartbeat, 100), SimulateMsgHeartbeat(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightFundRewardsPool, 5), SimulateMsgFundRewardsPool(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightSetOperatorRoles, 5), SimulateMsgSetOperatorRoles(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateParams, 5), SimulateMsgUpdateParams(d, k)),
	}
}

// nodes returns up to walkLimit nodes, in id order, that keep.
func nodes(ctx sdk.Context, k keeper.Keeper, keep func(types.Node) bool) ([]types.Node, error) {
	var out []types.Node
	n := 0
	err := k.Nodes.Walk(ctx, nil, func(_ string, node types.Node) (bool, error) {
		n++
		if keep(node) {
			out = append(out, node)
		}
		return n >= walkLimit, nil
	})
	return out, err
}

// activeModels returns the active models (bounded walk).
func activeModels(ctx sdk.Context, m Models) ([]modelstypes.Model, error) {
	var out []modelstypes.Model
	err := m.WalkModels(ctx, walkLimit, func(model modelstypes.Model) bool {
		if model.Status == modelstypes.MODEL_STATUS_ACTIVE {
			out = append(out, model)
		}
		return false
	})
	return out, err
}

// randomDescription picks 1..3 active models and a spec and memory index that fit them.
func randomDescription(r *rand.Rand, models []modelstypes.Model) types.NodeDescription {
	perm := r.Perm(len(models))
	n := 1 + r.Intn(min(3, len(models)))
	var ids []string
	var mem uint64
	for _, i := range perm[:n] {
		ids = append(ids, models[i].Id)
		mem = max(mem, models[i].MemoryMib)
	}
	mem += uint64(r.Intn(8192))
	spec := types.NodeSpec{CpuCores: uint32(1 + r.Intn(64)), RamMib: mem + uint64(r.Intn(4096))}
	if r.Intn(2) == 0 {
		spec.GpuCount, spec.VramMib, spec.GpuModel = uint32(1+r.Intn(8)), uint64(1+r.Intn(81920)), "sim-gpu"
	}
	return types.NodeDescription{
		Endpoint: "https://" + simx.RandomID(r, "node", 6) + ".example", Spec: spec, MemoryIndexMiB: mem, Models: ids,
	}
}

// SimulateMsgRegisterNode registers a node serving random active models with the pool's
// minimum stake plus a little, heartbeating from its operator or another account.
func SimulateMsgRegisterNode(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgRegisterNode{}
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		all, err := nodes(ctx, k, func(types.Node) bool { return true })
		if err != nil {
			return d.NoOp(msg, "walk: %v", err)
		}
		if len(all) >= maxNodes {
			return d.NoOp(msg, "%d nodes already", len(all))
		}
		models, err := activeModels(ctx, d.Models)
		if err != nil || len(models) == 0 {
			return d.NoOp(msg, "no active model (%v)", err)
		}
		pool := p.Pools[r.Intn(len(p.Pools))]
		stake := sdk.NewCoin(p.Denom, pool.MinStake.Add(sdkmath.NewInt(r.Int63n(1_000_000))))
		op, _ := simtypes.RandomAcc(r, accs)
		if !d.BK.SpendableCoins(ctx, op.Address).IsAllGTE(sdk.NewCoins(stake)) {
			return d.NoOp(msg, "operator cannot stake %s", stake)
		}
		nodeAddr := ""
		if r.Intn(2) == 0 {
			other, _ := simtypes.RandomAcc(r, accs)
			nodeAddr = other.Address.String()
		}
		desc := randomDescription(r, models)
		msg = &types.MsgRegisterNode{
			Operator: op.Address.String(), NodeId: simx.RandomID(r, "node", 8), PoolId: pool.Id, Stake: stake,
			Endpoint: desc.Endpoint, Spec: desc.Spec, MemoryIndexMib: desc.MemoryIndexMiB, Models: desc.Models,
			NodeAddress: nodeAddr,
		}
		return d.Deliver(r, app, ctx, op, msg, sdk.NewCoins(stake))
	}
}

// operatedNode picks a random active node whose operator is a simulation account.
func operatedNode(r *rand.Rand, ctx sdk.Context, k keeper.Keeper, accs []simtypes.Account, keep func(types.Node) bool) (types.Node, simtypes.Account, bool) {
	cands, err := nodes(ctx, k, keep)
	if err != nil || len(cands) == 0 {
		return types.Node{}, simtypes.Account{}, false
	}
	n := cands[r.Intn(len(cands))]
	op, ok := simx.Find(accs, n.Operator)
	return n, op, ok
}

func isActive(n types.Node) bool { return n.Status == types.NODE_STATUS_ACTIVE }

// SimulateMsgAddStake adds a little stake to an active node.
func SimulateMsgAddStake(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgAddStake{}
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		n, op, ok := operatedNode(r, ctx, k, accs, isActive)
		if !ok {
			return d.NoOp(msg, "no active node of a simulation account")
		}
		amount := sdk.NewCoin(p.Denom, sdkmath.NewInt(1+r.Int63n(10_000_000)))
		if !d.BK.SpendableCoins(ctx, op.Address).IsAllGTE(sdk.NewCoins(amount)) {
			return d.NoOp(msg, "operator cannot add %s", amount)
		}
		msg = &types.MsgAddStake{Operator: n.Operator, NodeId: n.Id, Amount: amount}
		return d.Deliver(r, app, ctx, op, msg, sdk.NewCoins(amount))
	}
}

// SimulateMsgUpdateNode replaces an active node's description with a random valid one.
func SimulateMsgUpdateNode(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgUpdateNode{}
		n, op, ok := operatedNode(r, ctx, k, accs, isActive)
		if !ok {
			return d.NoOp(msg, "no active node of a simulation account")
		}
		models, err := activeModels(ctx, d.Models)
		if err != nil || len(models) == 0 {
			return d.NoOp(msg, "no active model (%v)", err)
		}
		desc := randomDescription(r, models)
		msg = &types.MsgUpdateNode{
			Operator: n.Operator, NodeId: n.Id, Endpoint: desc.Endpoint, Spec: desc.Spec,
			MemoryIndexMib: desc.MemoryIndexMiB, Models: desc.Models,
		}
		return d.Deliver(r, app, ctx, op, msg, nil)
	}
}

// SimulateMsgUnbondNode unbonds an active node while more than minActiveNodes stay.
func SimulateMsgUnbondNode(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgUnbondNode{}
		active, err := nodes(ctx, k, isActive)
		if err != nil || len(active) <= minActiveNodes {
			return d.NoOp(msg, "%d active nodes (%v)", len(active), err)
		}
		n := active[r.Intn(len(active))]
		op, ok := simx.Find(accs, n.Operator)
		if !ok {
			return d.NoOp(msg, "operator of %s is not a simulation account", n.Id)
		}
		msg = &types.MsgUnbondNode{Operator: n.Operator, NodeId: n.Id}
		return d.Deliver(r, app, ctx, op, msg, nil)
	}
}

// SimulateMsgWithdrawRewards withdraws a node's accrued rewards.
func SimulateMsgWithdrawRewards(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgWithdrawRewards{}
		n, op, ok := operatedNode(r, ctx, k, accs, func(n types.Node) bool {
			return !n.AccruedRewards.IsNil() && n.AccruedRewards.IsPositive()
		})
		if !ok {
			return d.NoOp(msg, "no node with rewards")
		}
		msg = &types.MsgWithdrawRewards{Operator: n.Operator, NodeId: n.Id}
		return d.Deliver(r, app, ctx, op, msg, nil)
	}
}

// SimulateMsgHeartbeat heartbeats the active node whose last heartbeat is oldest, if its
// slot allows one, with a random set of its models loaded that fits its memory index.
func SimulateMsgHeartbeat(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgHeartbeat{}
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		h := ctx.BlockHeight()
		due, err := nodes(ctx, k, func(n types.Node) bool {
			return isActive(n) && (n.LastHeartbeatHeight == 0 || n.LastHeartbeatHeight/p.HeartbeatIntervalBlocks != h/p.HeartbeatIntervalBlocks)
		})
		if err != nil || len(due) == 0 {
			return d.NoOp(msg, "no node due a heartbeat")
		}
		oldest := due[0]
		for _, n := range due[1:] {
			if n.LastHeartbeatHeight < oldest.LastHeartbeatHeight {
				oldest = n
			}
		}
		signer, ok := simx.Find(accs, oldest.NodeAddress)
		if !ok {
			return d.NoOp(msg, "node key of %s is not a simulation account", oldest.Id)
		}
		models, err := activeModels(ctx, d.Models)
		if err != nil {
			return d.NoOp(msg, "models: %v", err)
		}
		mem := map[string]uint64{}
		for _, m := range models {
			mem[m.Id] = m.MemoryMib
		}
		var loaded []string
		var used uint64
		for _, id := range oldest.Models {
			if m, ok := mem[id]; ok && used+m <= oldest.MemoryIndexMib && r.Intn(4) != 0 {
				loaded = append(loaded, id)
				used += m
			}
		}
		msg = &types.MsgHeartbeat{NodeAddress: oldest.NodeAddress, NodeId: oldest.Id, LoadedModels: loaded}
		return d.Deliver(r, app, ctx, signer, msg, nil)
	}
}

// SimulateMsgFundRewardsPool adds a little to the rewards pool.
func SimulateMsgFundRewardsPool(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgFundRewardsPool{}
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		from, _ := simtypes.RandomAcc(r, accs)
		amount := sdk.NewCoin(p.Denom, sdkmath.NewInt(1+r.Int63n(100_000_000)))
		if !d.BK.SpendableCoins(ctx, from.Address).IsAllGTE(sdk.NewCoins(amount)) {
			return d.NoOp(msg, "sender cannot pay %s", amount)
		}
		msg = &types.MsgFundRewardsPool{Sender: from.Address.String(), Amount: amount}
		return d.Deliver(r, app, ctx, from, msg, sdk.NewCoins(amount))
	}
}

// SimulateMsgSetOperatorRoles gives an operator of a node up to max_roles_per_operator
// roles, through the authority.
func SimulateMsgSetOperatorRoles(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgSetOperatorRoles{}
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		n, _, ok := operatedNode(r, ctx, k, accs, func(types.Node) bool { return true })
		if !ok {
			return d.NoOp(msg, "no node")
		}
		roles := []string{}
		for _, role := range []string{"auditor", "validator", "evaluator", "router"} {
			if uint32(len(roles)) < p.MaxRolesPerOperator && r.Intn(2) == 0 {
				roles = append(roles, role)
			}
		}
		msg = &types.MsgSetOperatorRoles{Authority: k.Authority(), Operator: n.Operator, Roles: roles}
		return d.DeliverAuthority(app, ctx, msg)
	}
}

// SimulateMsgUpdateParams replaces the params with random valid ones, through the
// authority as a passed governance proposal would.
func SimulateMsgUpdateParams(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(&types.MsgUpdateParams{}, "params: %v", err)
		}
		return d.DeliverAuthority(app, ctx, UpdateParamsMsg(r, k.Authority(), p))
	}
}

// UpdateParamsMsg keeps the pools (nodes are bonded in them) and randomizes the slots,
// misses and unbonding.
func UpdateParamsMsg(r *rand.Rand, authority string, current types.Params) *types.MsgUpdateParams {
	p := RandomParams(r, current.Denom)
	p.Pools = current.Pools
	p.RewardEpochIdentifier = current.RewardEpochIdentifier
	return &types.MsgUpdateParams{Authority: authority, Params: p}
}

// ProposalMsgs are the governance proposal messages x/gov's simulation submits.
func ProposalMsgs(k keeper.Keeper) []simtypes.WeightedProposalMsg {
	return []simtypes.WeightedProposalMsg{
		simulation.NewWeightedProposalMsg(OpWeightUpdateParams, 3,
			func(r *rand.Rand, ctx sdk.Context, _ []simtypes.Account) sdk.Msg {
				p, err := k.GetParams(ctx)
				if err != nil {
					p = types.DefaultParams()
				}
				return UpdateParamsMsg(r, k.Authority(), p)
			}),
	}
}
