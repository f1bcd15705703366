package simulation

import (
	"math/rand"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"

	"github.com/cortnet/cortd/x/internal/simx"
	"github.com/cortnet/cortd/x/models/keeper"
	"github.com/cortnet/cortd/x/models/types"
)

// Operation weights (keys of the simulation's app params) and their defaults.
const (
	OpWeightRegisterModel = "op_weight_msg_register_model"
	OpWeightRetireModel   = "op_weight_msg_retire_model"
	OpWeightUpdateParams  = "op_weight_msg_models_update_params"

	DefaultWeightRegisterModel = 10
	DefaultWeightRetireModel   = 4
	DefaultWeightUpdateParams  = 5

	// minActiveModels is the number of active models RetireModel leaves, so the flows of
	// the other modules always have models to work with.
	minActiveModels = 3
	// walkLimit bounds every walk of the registry.
	walkLimit = 200
)

// WeightedOperations returns one operation per x/models message.
func WeightedOperations(appParams simtypes.AppParams, env simx.Env, k keeper.Keeper) simulation.WeightedOperations {
	weight := func(key string, def int) int {
		var w int
		appParams.GetOrGenerate(key, &w, nil, func(*rand.Rand) { w = def })
		return w
	}
	return simulation.WeightedOperations{
		simulation.NewWeightedOperation(weight(OpWeightRegisterModel, DefaultWeightRegisterModel), SimulateMsgRegisterModel(env, k)),
		simulation.NewWeightedOperation(weight(OpWeightRetireModel, DefaultWeightRetireModel), SimulateMsgRetireModel(env, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateParams, DefaultWeightUpdateParams), SimulateMsgUpdateParams(env, k)),
	}
}

// SimulateMsgRegisterModel registers a new model from a random account that can pay the
// registration deposit.
func SimulateMsgRegisterModel(env simx.Env, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgRegisterModel{}
		p, err := k.GetParams(ctx)
		if err != nil {
			return env.NoOp(msg, "params: %v", err)
		}
		from, _ := simtypes.RandomAcc(r, accs)
		id := simx.RandomID(r, "sim-model", 8)
		if has, _ := k.Models.Has(ctx, id); has {
			return env.NoOp(msg, "id %s taken", id)
		}
		m := RandomModelFields(r, id, p)
		msg = &types.MsgRegisterModel{
			Sender: from.Address.String(), Id: m.Id, Name: m.Name, Architecture: m.Architecture,
			WeightsUri: m.WeightsUri, WeightsSha256: m.WeightsSha256, TokenizerSha256: m.TokenizerSha256,
			EmbeddingDim: m.EmbeddingDim, MemoryMib: m.MemoryMib, Modality: m.Modality,
		}
		spent := sdk.NewCoins(p.RegistrationDeposit)
		if !env.BK.SpendableCoins(ctx, from.Address).IsAllGTE(spent) {
			return env.NoOp(msg, "sender cannot pay the deposit %s", p.RegistrationDeposit)
		}
		return env.Deliver(r, app, ctx, from, msg, spent)
	}
}

// SimulateMsgRetireModel retires a random active model owned by a simulation account,
// as long as more than minActiveModels stay active.
func SimulateMsgRetireModel(env simx.Env, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgRetireModel{}
		var active []types.Model
		if err := k.WalkModels(ctx, walkLimit, func(m types.Model) bool {
			if m.Status == types.MODEL_STATUS_ACTIVE {
				active = append(active, m)
			}
			return false
		}); err != nil {
			return env.NoOp(msg, "walk: %v", err)
		}
		if len(active) <= minActiveModels {
			return env.NoOp(msg, "only %d active models", len(active))
		}
		m := active[r.Intn(len(active))]
		owner, ok := simx.Find(accs, m.Owner)
		if !ok {
			return env.NoOp(msg, "owner of %s is not a simulation account", m.Id)
		}
		msg = &types.MsgRetireModel{Sender: m.Owner, Id: m.Id}
		return env.Deliver(r, app, ctx, owner, msg, nil)
	}
}

// SimulateMsgUpdateParams replaces the params with random valid ones, through the
// authority as a passed governance proposal would.
func SimulateMsgUpdateParams(env simx.Env, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		p, err := k.GetParams(ctx)
		if err != nil {
			return env.NoOp(&types.MsgUpdateParams{}, "params: %v", err)
		}
		return env.DeliverAuthority(app, ctx, UpdateParamsMsg(r, k.Authority(), p.RegistrationDeposit.Denom))
	}
}

// UpdateParamsMsg is a MsgUpdateParams with random valid params (also the governance
// proposal message of the simulation).
func UpdateParamsMsg(r *rand.Rand, authority, denom string) *types.MsgUpdateParams {
	return &types.MsgUpdateParams{Authority: authority, Params: RandomParams(r, denom)}
}

// ProposalMsgs are the governance proposal messages x/gov's simulation submits.
func ProposalMsgs(authority, denom string) []simtypes.WeightedProposalMsg {
	return []simtypes.WeightedProposalMsg{
		simulation.NewWeightedProposalMsg(OpWeightUpdateParams, DefaultWeightUpdateParams,
			func(r *rand.Rand, _ sdk.Context, _ []simtypes.Account) sdk.Msg {
				return UpdateParamsMsg(r, authority, denom)
			}),
	}
}
