package simulation

import (
	"math/rand"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"

	"github.com/cortnet/cortd/x/internal/simx"
	"github.com/cortnet/cortd/x/payments/keeper"
	"github.com/cortnet/cortd/x/payments/types"
)

// Operation weights (keys of the simulation's app params).
const (
	OpWeightWithdrawPayments = "op_weight_msg_withdraw_payments"
	OpWeightUpdateParams     = "op_weight_msg_payments_update_params"

	walkLimit = 200
)

// Deps is what the operations deliver through.
type Deps struct {
	simx.Env
}

// WeightedOperations returns one operation per x/payments message.
func WeightedOperations(appParams simtypes.AppParams, d Deps, k keeper.Keeper) simulation.WeightedOperations {
	weight := func(key string, def int) int {
		var w int
		appParams.GetOrGenerate(key, &w, nil, func(*rand.Rand) { w = def })
		return w
	}
	return simulation.WeightedOperations{
		simulation.NewWeightedOperation(weight(OpWeightWithdrawPayments, 10), SimulateMsgWithdrawPayments(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateParams, 5), SimulateMsgUpdateParams(d, k)),
	}
}

// SimulateMsgWithdrawPayments withdraws the pending payments of a random operator that
// has some (a bounded walk of the pending map).
func SimulateMsgWithdrawPayments(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgWithdrawPayments{}
		var ops []string
		n := 0
		if err := k.Pending.Walk(ctx, nil, func(op string, amount sdkmath.Int) (bool, error) {
			n++
			if amount.IsPositive() {
				ops = append(ops, op)
			}
			return n >= walkLimit, nil
		}); err != nil {
			return d.NoOp(msg, "walk: %v", err)
		}
		if len(ops) == 0 {
			return d.NoOp(msg, "no pending payments")
		}
		op := ops[r.Intn(len(ops))]
		acc, ok := simx.Find(accs, op)
		if !ok {
			return d.NoOp(msg, "%s is not a simulation account", op)
		}
		msg = &types.MsgWithdrawPayments{Operator: op}
		return d.Deliver(r, app, ctx, acc, msg, nil)
	}
}

// SimulateMsgUpdateParams sets the params again through the authority (the denom may not
// change while escrow is held, so the message keeps it: the handler's checks still run).
func SimulateMsgUpdateParams(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		p, err := k.Params.Get(ctx)
		if err != nil {
			return d.NoOp(&types.MsgUpdateParams{}, "params: %v", err)
		}
		return d.DeliverAuthority(app, ctx, &types.MsgUpdateParams{Authority: k.Authority(), Params: p})
	}
}

// ProposalMsgs are the governance proposal messages x/gov's simulation submits.
func ProposalMsgs(k keeper.Keeper) []simtypes.WeightedProposalMsg {
	return []simtypes.WeightedProposalMsg{
		simulation.NewWeightedProposalMsg(OpWeightUpdateParams, 3,
			func(_ *rand.Rand, ctx sdk.Context, _ []simtypes.Account) sdk.Msg {
				p, err := k.Params.Get(ctx)
				if err != nil {
					p = types.DefaultParams()
				}
				return &types.MsgUpdateParams{Authority: k.Authority(), Params: p}
			}),
	}
}
