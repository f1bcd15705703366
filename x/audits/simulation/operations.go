package simulation

import (
	"context"
	"math/rand"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/cortnet/cortd/x/audits/keeper"
	"github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/internal/simx"
)

// Operation weights (keys of the simulation's app params).
const (
	OpWeightAuditPass    = "op_weight_msg_audit_pass"
	OpWeightReportFraud  = "op_weight_msg_report_fraud"
	OpWeightVoteFraud    = "op_weight_msg_vote_fraud"
	OpWeightUpdateParams = "op_weight_msg_audits_update_params"

	walkLimit = 200
)

// Staking is what the operations read of x/staking: whether an account operates a
// bonded validator (voters must).
type Staking interface {
	GetValidator(ctx context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error)
}

// Deps is what the operations deliver through and read.
type Deps struct {
	simx.Env
	Staking Staking
}

// WeightedOperations returns one operation per x/audits message.
func WeightedOperations(appParams simtypes.AppParams, d Deps, k keeper.Keeper) simulation.WeightedOperations {
	weight := func(key string, def int) int {
		var w int
		appParams.GetOrGenerate(key, &w, nil, func(*rand.Rand) { w = def })
		return w
	}
	return simulation.WeightedOperations{
		simulation.NewWeightedOperation(weight(OpWeightAuditPass, 40), SimulateMsgAuditPass(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightReportFraud, 15), SimulateMsgReportFraud(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightVoteFraud, 60), SimulateMsgVoteFraud(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateParams, 5), SimulateMsgUpdateParams(d, k)),
	}
}

// openAudits returns up to walkLimit open audits in status.
func openAudits(ctx sdk.Context, k keeper.Keeper, status types.AuditStatus) ([]types.Audit, error) {
	var out []types.Audit
	n := 0
	err := k.Open.Walk(ctx, nil, func(id uint64) (bool, error) {
		n++
		a, err := k.GetAudit(ctx, id)
		if err != nil {
			return true, err
		}
		if a.Status == status {
			out = append(out, a)
		}
		return n >= walkLimit, nil
	})
	return out, err
}

// pendingOfSimAuditor picks a random PENDING audit, before its deadline, whose auditor
// is a simulation account.
func pendingOfSimAuditor(r *rand.Rand, ctx sdk.Context, k keeper.Keeper, accs []simtypes.Account) (types.Audit, simtypes.Account, bool) {
	pending, err := openAudits(ctx, k, types.AUDIT_STATUS_PENDING)
	if err != nil {
		return types.Audit{}, simtypes.Account{}, false
	}
	for _, i := range r.Perm(len(pending)) {
		a := pending[i]
		if ctx.BlockHeight() > a.DeadlineHeight {
			continue
		}
		if acc, ok := simx.Find(accs, a.Auditor); ok {
			return a, acc, true
		}
	}
	return types.Audit{}, simtypes.Account{}, false
}

// SimulateMsgAuditPass passes a pending audit as its auditor.
func SimulateMsgAuditPass(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgAuditPass{}
		a, auditor, ok := pendingOfSimAuditor(r, ctx, k, accs)
		if !ok {
			return d.NoOp(msg, "no pending audit of a simulation account")
		}
		msg = &types.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id}
		return d.Deliver(r, app, ctx, auditor, msg, nil)
	}
}

// SimulateMsgReportFraud reports a pending audit's subject as fraudulent as its auditor.
func SimulateMsgReportFraud(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgReportFraud{}
		a, auditor, ok := pendingOfSimAuditor(r, ctx, k, accs)
		if !ok {
			return d.NoOp(msg, "no pending audit of a simulation account")
		}
		msg = &types.MsgReportFraud{
			Auditor: a.Auditor, AuditId: a.Id, FailedCheck: "sim.recheck",
			Figures: []types.Figure{{Name: "sim", Value: simtypes.RandStringOfLength(r, 1+r.Intn(20))}},
		}
		return d.Deliver(r, app, ctx, auditor, msg, nil)
	}
}

// SimulateMsgVoteFraud votes YES or NO on a report in its voting window from a bonded
// validator's operator that has not voted on it.
func SimulateMsgVoteFraud(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgVoteFraud{}
		voting, err := openAudits(ctx, k, types.AUDIT_STATUS_VOTING)
		if err != nil || len(voting) == 0 {
			return d.NoOp(msg, "no audit in its voting window")
		}
		a := voting[r.Intn(len(voting))]
		if ctx.BlockHeight() > a.VotingEndHeight {
			return d.NoOp(msg, "voting on audit %d ended", a.Id)
		}
		for _, i := range r.Perm(len(accs)) {
			acc := accs[i]
			v, err := d.Staking.GetValidator(ctx, sdk.ValAddress(acc.Address))
			if err != nil || !v.IsBonded() {
				continue
			}
			if has, err := k.Votes.Has(ctx, collections.Join(a.Id, acc.Address)); err != nil || has {
				continue
			}
			option := types.VOTE_OPTION_YES
			if r.Intn(3) == 0 {
				option = types.VOTE_OPTION_NO
			}
			msg = &types.MsgVoteFraud{Voter: acc.Address.String(), AuditId: a.Id, Option: option}
			return d.Deliver(r, app, ctx, acc, msg, nil)
		}
		return d.NoOp(msg, "no bonded validator left to vote on audit %d", a.Id)
	}
}

// SimulateMsgUpdateParams replaces the params with random valid ones, through the
// authority as a passed governance proposal would.
func SimulateMsgUpdateParams(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		return d.DeliverAuthority(app, ctx, &types.MsgUpdateParams{Authority: k.Authority(), Params: RandomParams(r)})
	}
}

// ProposalMsgs are the governance proposal messages x/gov's simulation submits.
func ProposalMsgs(k keeper.Keeper) []simtypes.WeightedProposalMsg {
	return []simtypes.WeightedProposalMsg{
		simulation.NewWeightedProposalMsg(OpWeightUpdateParams, 3,
			func(r *rand.Rand, _ sdk.Context, _ []simtypes.Account) sdk.Msg {
				return &types.MsgUpdateParams{Authority: k.Authority(), Params: RandomParams(r)}
			}),
	}
}
